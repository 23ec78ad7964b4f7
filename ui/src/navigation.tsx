// Screen-level navigation: a small typed route state instead of URLs, since the app has
// no address bar and nothing links in from outside. The routes are the screen
// registry's (`screens/registry.tsx`).
import { createContext, useContext } from "react";
import type { Route } from "./screens/registry";

export type { Route };

export interface Navigation {
  route: Route;
  go: (route: Route) => void;
  /** Bumped after every write so screens reload what they show. */
  revision: number;
  changed: () => void;
  /** Bumped by the idle lock and focus loss: revealed values hide when it changes. */
  lockEpoch: number;
}

export const NavigationContext = createContext<Navigation | null>(null);

export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (!navigation) throw new Error("useNavigation outside NavigationContext");
  return navigation;
}

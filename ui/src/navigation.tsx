// Screen-level navigation: a small typed route state instead of URLs, since the app has
// no address bar and nothing links in from outside.
import { createContext, useContext } from "react";

export type Route =
  | { screen: "dashboard" }
  | { screen: "inventory"; tab: "credentials" | "integrations" }
  | { screen: "credential"; name: string }
  | { screen: "integration"; name: string }
  | { screen: "new-credential" }
  | { screen: "new-integration" }
  | { screen: "edit-integration"; name: string }
  | { screen: "import" }
  | { screen: "audit" }
  | { screen: "leaks" }
  | { screen: "settings" };

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

// Every screen, registered once: its route, sidebar section, title, component and the
// ways to open it (sidebar, command palette, keyboard shortcut, tray menu). The route
// type, the sidebar, the palette's screen entries, the shortcuts and the screen switch
// are all derived from this table, so adding a screen is one entry here.
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from "react";
import { Dashboard } from "./Dashboard";

/**
 * Screens other than the dashboard load on first visit: the first paint after start
 * parses only the shell and the dashboard, not the tables, forms and their libraries.
 */
// `any` only bounds the export to "some component"; the screen keeps its own props type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function lazyScreen<Module extends Record<Name, ComponentType<any>>, Name extends keyof Module>(load: () => Promise<Module>, name: Name): LazyExoticComponent<Module[Name]> {
  return lazy(async () => ({ default: (await load())[name] }));
}

/** A screen; `Props` are both its component's props and its route's parameters. */
interface ScreenDefinition<Props extends object> {
  /** The sidebar section that shows as current while this screen is on. */
  section: string;
  title: string;
  component: ComponentType<Props>;
  /** Makes this screen its section's sidebar button, opened with these props. */
  sidebar?: NoInfer<Props>;
  /** Entries in the command palette's list of screens; `label` defaults to the title. */
  palette?: { label?: string; detail: "screen" | "action"; props: NoInfer<Props> }[];
  /** Ctrl/Cmd + this key opens the screen (and the sidebar footer lists it). */
  shortcut?: { key: string; props: NoInfer<Props> };
  /** The tray menu may open it (`navigate-request` names the screen's id). */
  tray?: NoInfer<Props>;
}

function screen<Props extends object>(definition: ScreenDefinition<Props>): ScreenDefinition<Props> {
  return definition;
}

// The order is the sidebar's and the palette's order.
const DEFINITIONS = {
  dashboard: screen({ section: "Dashboard", title: "Dashboard", component: Dashboard, sidebar: {}, palette: [{ detail: "screen", props: {} }], tray: {} }),
  inventory: screen({
    section: "Inventory",
    title: "Inventory",
    component: lazyScreen(() => import("./Inventory"), "Inventory"),
    sidebar: { tab: "credentials" },
    palette: [
      { label: "Credentials", detail: "screen", props: { tab: "credentials" } },
      { label: "Integrations", detail: "screen", props: { tab: "integrations" } },
    ],
  }),
  credential: screen({ section: "Inventory", title: "Credential", component: lazyScreen(() => import("./CredentialDetail"), "CredentialDetail") }),
  integration: screen({ section: "Inventory", title: "Integration", component: lazyScreen(() => import("./IntegrationDetail"), "IntegrationDetail") }),
  "new-credential": screen({
    section: "Inventory",
    title: "New credential",
    component: lazyScreen(() => import("./NewCredential"), "NewCredential"),
    palette: [{ detail: "action", props: {} }],
    shortcut: { key: "n", props: {} },
    tray: {},
  }),
  "new-integration": screen({
    section: "Inventory",
    title: "New integration",
    component: lazyScreen(() => import("./NewIntegration"), "NewIntegration"),
    palette: [{ detail: "action", props: {} }],
  }),
  "edit-integration": screen({ section: "Inventory", title: "Edit integration", component: lazyScreen(() => import("./NewIntegration"), "EditIntegration") }),
  import: screen({ section: "Import", title: "Import", component: lazyScreen(() => import("./ImportScreen"), "ImportScreen"), sidebar: {}, palette: [{ detail: "screen", props: {} }], tray: {} }),
  leaks: screen({ section: "Leaks", title: "Leaks", component: lazyScreen(() => import("./Leaks"), "Leaks"), sidebar: {}, palette: [{ detail: "screen", props: {} }] }),
  review: screen({ section: "Review", title: "Review", component: lazyScreen(() => import("./Review"), "Review"), sidebar: {}, palette: [{ detail: "screen", props: {} }] }),
  audit: screen({ section: "Audit log", title: "Audit log", component: lazyScreen(() => import("./AuditLog"), "AuditLog"), sidebar: {}, palette: [{ detail: "screen", props: {} }] }),
  settings: screen({ section: "Settings", title: "Settings", component: lazyScreen(() => import("./Settings"), "Settings"), sidebar: {}, palette: [{ detail: "screen", props: {} }] }),
};

export type ScreenId = keyof typeof DEFINITIONS;
type PropsOf = { [Id in ScreenId]: (typeof DEFINITIONS)[Id] extends ScreenDefinition<infer Props> ? Props : never };
type Routes = { [Id in ScreenId]: { screen: Id } & PropsOf[Id] };
/** Where the window is: a screen and its parameters. */
export type Route = Routes[ScreenId];

// The same table, typed per id so that a screen's props and its route stay paired.
const SCREENS: { [Id in ScreenId]: ScreenDefinition<PropsOf[Id]> } = DEFINITIONS;
const IDS = Object.keys(SCREENS) as ScreenId[];

function routeTo<Id extends ScreenId>(screen: Id, props: PropsOf[Id]): Routes[Id] {
  // This is `Routes[Id]` by its definition; TypeScript checks a value against an entry of
  // a mapped type only for a known id, not for every `Id` at once.
  return { ...props, screen } as Routes[Id];
}

/** The sidebar's sections, top to bottom, each with the route its button opens. */
export const SECTIONS: { label: string; route: Route }[] = IDS.flatMap((id) => sidebarOf(id));

function sidebarOf<Id extends ScreenId>(id: Id): { label: string; route: Route }[] {
  const { section, sidebar } = SCREENS[id];
  return sidebar ? [{ label: section, route: routeTo(id, sidebar) }] : [];
}

/** The section that shows as current on `route`. */
export function sectionOf(route: Route): string {
  return SCREENS[route.screen].section;
}

export interface PaletteEntry {
  label: string;
  detail: string;
  route: Route;
}

/** The command palette's screens and actions, before the inventory's names. */
export const PALETTE_SCREENS: PaletteEntry[] = IDS.flatMap((id) => paletteOf(id));

function paletteOf<Id extends ScreenId>(id: Id): PaletteEntry[] {
  const { title, palette = [] } = SCREENS[id];
  return palette.map((entry) => ({ label: entry.label ?? title, detail: entry.detail, route: routeTo(id, entry.props) }));
}

export interface Shortcut {
  /** The key pressed with Ctrl (or Cmd), lower case. */
  key: string;
  title: string;
  route: Route;
}

/** Screens opened by Ctrl/Cmd + a key. */
export const SHORTCUTS: Shortcut[] = IDS.flatMap((id) => shortcutOf(id));

function shortcutOf<Id extends ScreenId>(id: Id): Shortcut[] {
  const { title, shortcut } = SCREENS[id];
  return shortcut ? [{ key: shortcut.key, title, route: routeTo(id, shortcut.props) }] : [];
}

/** The route the tray menu asks for by screen id, if that screen may be opened from it. */
export function trayRoute(to: string): Route | undefined {
  const id = IDS.find((candidate) => candidate === to);
  return id && trayOf(id);
}

function trayOf<Id extends ScreenId>(id: Id): Route | undefined {
  const { tray } = SCREENS[id];
  return tray && routeTo(id, tray);
}

/** The component of `route`'s screen, given the route's parameters. */
export function ScreenView({ route }: { route: Route }): ReactNode {
  return render(route);
}

function render<Id extends ScreenId>(route: Routes[Id]): ReactNode {
  const Component: ComponentType<PropsOf[Id]> = SCREENS[route.screen].component;
  return <Component {...route} />;
}

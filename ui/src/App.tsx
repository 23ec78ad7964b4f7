import { Suspense, lazy, useCallback, useEffect, useMemo, useState, useTransition, type ComponentType, type LazyExoticComponent } from "react";
import { api, events } from "./api";
import { CommandPalette } from "./components/CommandPalette";
import { NavigationContext, type Navigation, type Route } from "./navigation";
import { Dashboard } from "./screens/Dashboard";
import { useIdleLock } from "./useIdleLock";

/**
 * Screens other than the dashboard load on first visit: the first paint after start
 * parses only the shell and the dashboard, not the tables, forms and their libraries.
 */
// `any` only bounds the export to "some component"; the screen keeps its own props type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function screen<Module extends Record<Name, ComponentType<any>>, Name extends keyof Module>(load: () => Promise<Module>, name: Name): LazyExoticComponent<Module[Name]> {
  return lazy(async () => ({ default: (await load())[name] }));
}
const AuditLog = screen(() => import("./screens/AuditLog"), "AuditLog");
const CredentialDetail = screen(() => import("./screens/CredentialDetail"), "CredentialDetail");
const ImportScreen = screen(() => import("./screens/ImportScreen"), "ImportScreen");
const IntegrationDetail = screen(() => import("./screens/IntegrationDetail"), "IntegrationDetail");
const Inventory = screen(() => import("./screens/Inventory"), "Inventory");
const NewCredential = screen(() => import("./screens/NewCredential"), "NewCredential");
const NewIntegration = screen(() => import("./screens/NewIntegration"), "NewIntegration");
const EditIntegration = screen(() => import("./screens/NewIntegration"), "EditIntegration");
const Settings = screen(() => import("./screens/Settings"), "Settings");
const Leaks = screen(() => import("./screens/Leaks"), "Leaks");
const Review = screen(() => import("./screens/Review"), "Review");

const SECTIONS: { label: string; route: Route; matches: Route["screen"][] }[] = [
  { label: "Dashboard", route: { screen: "dashboard" }, matches: ["dashboard"] },
  { label: "Inventory", route: { screen: "inventory", tab: "credentials" }, matches: ["inventory", "credential", "integration", "new-credential", "new-integration", "edit-integration"] },
  { label: "Import", route: { screen: "import" }, matches: ["import"] },
  { label: "Leaks", route: { screen: "leaks" }, matches: ["leaks"] },
  { label: "Review", route: { screen: "review" }, matches: ["review"] },
  { label: "Audit log", route: { screen: "audit" }, matches: ["audit"] },
  { label: "Settings", route: { screen: "settings" }, matches: ["settings"] },
];

export function App() {
  const [route, setShownRoute] = useState<Route>({ screen: "dashboard" });
  // Moving to a screen is a transition: the current screen stays until the next one's
  // code has loaded, instead of a "Loading…" placeholder in between. Besides the
  // flicker, React holds a placeholder on screen for a minimum time (to avoid a
  // cascade of them), which alone made opening the inventory some 180 ms slower.
  const [navigating, startNavigation] = useTransition();
  const setRoute = useCallback((next: Route) => startNavigation(() => setShownRoute(next)), []);
  const [revision, setRevision] = useState(0);
  const [lockEpoch, setLockEpoch] = useState(0);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [idleMinutes, setIdleMinutes] = useState(0);

  const lock = useCallback(() => {
    setLockEpoch((epoch) => epoch + 1);
    void api.clearCopiedSecret();
  }, []);
  useIdleLock(idleMinutes, lock);

  useEffect(() => {
    api.preferences().then((preferences) => setIdleMinutes(preferences.idle_lock_minutes), () => setIdleMinutes(0));
  }, [revision]);

  // Revealed values hide as soon as the window loses focus.
  useEffect(() => {
    const hide = () => setLockEpoch((epoch) => epoch + 1);
    window.addEventListener("blur", hide);
    return () => window.removeEventListener("blur", hide);
  }, []);

  // The tray menu asks for screens through the `navigate-request` event.
  useEffect(() => {
    const pending = events.navigateRequest.listen((event) => {
      const to = event.payload.to;
      if (to === "new-credential" || to === "import" || to === "dashboard") setRoute({ screen: to });
    });
    return () => {
      void pending.then((unlisten) => unlisten());
    };
  }, [setRoute]);

  // Rotations interrupted by a crash are resumed at start; reload what shows them.
  useEffect(() => {
    const pending = events.rotationsResumed.listen(() => setRevision((value) => value + 1));
    return () => {
      void pending.then((unlisten) => unlisten());
    };
  }, []);

  // A finished scan (button or schedule) may change the warnings: reload what is shown.
  useEffect(() => {
    const pending = events.warningsChanged.listen(() => setRevision((value) => value + 1));
    return () => {
      void pending.then((unlisten) => unlisten());
    };
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const modifier = event.ctrlKey || event.metaKey;
      if (modifier && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setPaletteOpen(true);
      } else if (modifier && event.key.toLowerCase() === "n") {
        event.preventDefault();
        setRoute({ screen: "new-credential" });
      } else if (event.key === "Escape") {
        setPaletteOpen(false);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [setRoute]);

  const navigation = useMemo<Navigation>(
    () => ({
      route,
      go: (next) => {
        setPaletteOpen(false);
        setRoute(next);
      },
      revision,
      changed: () => setRevision((value) => value + 1),
      lockEpoch,
    }),
    [route, setRoute, revision, lockEpoch],
  );

  return (
    <NavigationContext.Provider value={navigation}>
      <div className="shell">
        <nav className="sidebar" aria-label="Sections">
          <div className="brand">Keyward</div>
          {SECTIONS.map((section) => (
            <button
              key={section.label}
              className={section.matches.includes(route.screen) ? "nav-item active" : "nav-item"}
              aria-current={section.matches.includes(route.screen) ? "page" : undefined}
              onClick={() => navigation.go(section.route)}
            >
              {section.label}
            </button>
          ))}
          <div className="sidebar-footer">
            <button className="nav-item" onClick={() => setPaletteOpen(true)} aria-keyshortcuts="Control+K">
              Search <kbd>Ctrl K</kbd>
            </button>
            <button className="nav-item" onClick={() => navigation.go({ screen: "new-credential" })} aria-keyshortcuts="Control+N">
              New credential <kbd>Ctrl N</kbd>
            </button>
          </div>
        </nav>
        <main className="content" aria-busy={navigating}>
          <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
            <Screen route={route} />
          </Suspense>
        </main>
      </div>
      {paletteOpen && <CommandPalette onClose={() => setPaletteOpen(false)} />}
    </NavigationContext.Provider>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case "dashboard":
      return <Dashboard />;
    case "inventory":
      return <Inventory tab={route.tab} />;
    case "credential":
      return <CredentialDetail name={route.name} />;
    case "integration":
      return <IntegrationDetail name={route.name} />;
    case "new-credential":
      return <NewCredential />;
    case "new-integration":
      return <NewIntegration />;
    case "edit-integration":
      return <EditIntegration name={route.name} />;
    case "import":
      return <ImportScreen />;
    case "audit":
      return <AuditLog filter={route.filter} action={route.action} />;
    case "leaks":
      return <Leaks />;
    case "review":
      return <Review credential={route.credential} />;
    case "settings":
      return <Settings />;
  }
}

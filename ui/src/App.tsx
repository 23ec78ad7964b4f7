import { useCallback, useEffect, useMemo, useState } from "react";
import { api, events } from "./api";
import { CommandPalette } from "./components/CommandPalette";
import { NavigationContext, type Navigation, type Route } from "./navigation";
import { AuditLog } from "./screens/AuditLog";
import { CredentialDetail } from "./screens/CredentialDetail";
import { Dashboard } from "./screens/Dashboard";
import { ImportScreen } from "./screens/ImportScreen";
import { IntegrationDetail } from "./screens/IntegrationDetail";
import { Inventory } from "./screens/Inventory";
import { NewCredential } from "./screens/NewCredential";
import { EditIntegration, NewIntegration } from "./screens/NewIntegration";
import { Review } from "./screens/Review";
import { Settings } from "./screens/Settings";
import { useIdleLock } from "./useIdleLock";

const SECTIONS: { label: string; route: Route; matches: Route["screen"][] }[] = [
  { label: "Dashboard", route: { screen: "dashboard" }, matches: ["dashboard"] },
  { label: "Inventory", route: { screen: "inventory", tab: "credentials" }, matches: ["inventory", "credential", "integration", "new-credential", "new-integration", "edit-integration"] },
  { label: "Import", route: { screen: "import" }, matches: ["import"] },
  { label: "Review", route: { screen: "review" }, matches: ["review"] },
  { label: "Audit log", route: { screen: "audit" }, matches: ["audit"] },
  { label: "Settings", route: { screen: "settings" }, matches: ["settings"] },
];

export function App() {
  const [route, setRoute] = useState<Route>({ screen: "dashboard" });
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
  }, []);

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
    [route, revision, lockEpoch],
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
        <main className="content">
          <Screen route={route} />
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
      return <AuditLog />;
    case "review":
      return <Review credential={route.credential} />;
    case "settings":
      return <Settings />;
  }
}

import { Suspense, useCallback, useEffect, useMemo, useState, useTransition } from "react";
import { api, events } from "./api";
import { CommandPalette } from "./components/CommandPalette";
import { NavigationContext, type Navigation, type Route } from "./navigation";
import { SECTIONS, SHORTCUTS, ScreenView, sectionOf, trayRoute } from "./screens/registry";
import { useIdleLock } from "./useIdleLock";

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
      const next = trayRoute(event.payload.to);
      if (next) setRoute(next);
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
      const shortcut = modifier ? SHORTCUTS.find((candidate) => candidate.key === event.key.toLowerCase()) : undefined;
      if (modifier && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setPaletteOpen(true);
      } else if (shortcut) {
        event.preventDefault();
        setRoute(shortcut.route);
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
              className={section.label === sectionOf(route) ? "nav-item active" : "nav-item"}
              aria-current={section.label === sectionOf(route) ? "page" : undefined}
              onClick={() => navigation.go(section.route)}
            >
              {section.label}
            </button>
          ))}
          <div className="sidebar-footer">
            <button className="nav-item" onClick={() => setPaletteOpen(true)} aria-keyshortcuts="Control+K">
              Search <kbd>Ctrl K</kbd>
            </button>
            {SHORTCUTS.map((shortcut) => (
              <button key={shortcut.key} className="nav-item" onClick={() => navigation.go(shortcut.route)} aria-keyshortcuts={`Control+${shortcut.key.toUpperCase()}`}>
                {shortcut.title} <kbd>Ctrl {shortcut.key.toUpperCase()}</kbd>
              </button>
            ))}
          </div>
        </nav>
        <main className="content" aria-busy={navigating}>
          <Suspense fallback={<p className="muted" role="status">Loading…</p>}>
            <ScreenView route={route} />
          </Suspense>
        </main>
      </div>
      {paletteOpen && <CommandPalette onClose={() => setPaletteOpen(false)} />}
    </NavigationContext.Provider>
  );
}

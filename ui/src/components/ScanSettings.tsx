// The scan folders and schedule, shown on the Settings screen. Folders are picked with
// the native folder dialog; the Rust side validates and stores them.
import { open } from "@tauri-apps/plugin-dialog";
import { useState } from "react";
import { api, describeError, type ScanOverview } from "../api";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";
import { ErrorBanner, Field, Loaded, formatDateTime } from "./common";

export function ScanSettingsSection() {
  const { revision } = useNavigation();
  const load = useLoad(() => api.scanSettings(), [revision]);
  return (
    <section aria-labelledby="scan-settings-title">
      <h2 id="scan-settings-title">Leak scanning</h2>
      <Loaded load={load}>{(overview) => <ScanSettingsForm initial={overview} />}</Loaded>
    </section>
  );
}

function ScanSettingsForm({ initial }: { initial: ScanOverview }) {
  const [overview, setOverview] = useState(initial);
  const [roots, setRoots] = useState<string[]>(initial.settings.roots);
  const [every, setEvery] = useState(initial.settings.every_hours?.toString() ?? "");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const addFolder = async () => {
    setError(null);
    const chosen = await open({ directory: true, multiple: false });
    if (typeof chosen === "string" && !roots.includes(chosen)) setRoots([...roots, chosen]);
  };

  const save = async () => {
    setError(null);
    setSaved(false);
    const text = every.trim();
    if (text && !/^\d+$/.test(text)) {
      setError("Scan every (hours): a whole number, or empty to turn the schedule off.");
      return;
    }
    try {
      const stored = await api.setScanSettings({ roots, every_hours: text ? Number(text) : null });
      setOverview(stored);
      setRoots(stored.settings.roots);
      setSaved(true);
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <ErrorBanner message={error} />
      <div className="field">
        <span className="field-label">Folders to scan</span>
        {roots.length === 0 ? (
          <span className="muted">None yet: add the folders your code lives in.</span>
        ) : (
          <ul className="plain-list" aria-label="Folders to scan">
            {roots.map((root) => (
              <li key={root}>
                <span className="mono">{root}</span>
                <button type="button" onClick={() => setRoots(roots.filter((other) => other !== root))} aria-label={`Remove ${root}`}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
        )}
        <div>
          <button type="button" onClick={() => void addFolder()}>
            Add folder…
          </button>
        </div>
      </div>
      <Field label="Scan every (hours)" hint="1 to 720; empty turns the schedule off; default 24">
        <input name="scan-every" inputMode="numeric" value={every} onChange={(event) => setEvery(event.target.value)} />
      </Field>
      <p className="muted small">
        Last scan: {overview.last_scan_at ? formatDateTime(overview.last_scan_at) : "never"}
        {" · "}Next: {overview.next_scan_at ? formatDateTime(overview.next_scan_at) : "not scheduled"}
      </p>
      <div className="actions">
        <button type="submit" className="primary">
          Save scan settings
        </button>
      </div>
      {saved && (
        <p role="status" className="notice">
          Scan settings saved.
        </p>
      )}
    </form>
  );
}

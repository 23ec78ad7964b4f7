import { useState } from "react";
import { api, describeError, type Preferences } from "../api";
import { ErrorBanner, Field, Loaded } from "../components/common";
import { ScanSettingsSection } from "../components/ScanSettings";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";

export function Settings() {
  const { revision } = useNavigation();
  const load = useLoad(() => api.preferences(), [revision]);
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <Loaded load={load}>{(preferences) => <SettingsForm initial={preferences} />}</Loaded>
      <ScanSettingsSection />
    </section>
  );
}

function SettingsForm({ initial }: { initial: Preferences }) {
  const { changed } = useNavigation();
  const [clipboard, setClipboard] = useState(String(initial.clipboard_clear_seconds));
  const [reveal, setReveal] = useState(String(initial.reveal_seconds));
  const [idle, setIdle] = useState(String(initial.idle_lock_minutes));
  const [rotation, setRotation] = useState(initial.default_rotate_every_days?.toString() ?? "");
  const [notifications, setNotifications] = useState(initial.notifications);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const number = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN);
  const save = async () => {
    setError(null);
    setSaved(false);
    const values = { clipboard: number(clipboard), reveal: number(reveal), idle: number(idle) };
    if (Object.values(values).some(Number.isNaN) || (rotation.trim() && Number.isNaN(number(rotation)))) {
      setError("Every field takes a whole number.");
      return;
    }
    try {
      await api.setPreferences({
        clipboard_clear_seconds: values.clipboard,
        reveal_seconds: values.reveal,
        idle_lock_minutes: values.idle,
        default_rotate_every_days: rotation.trim() ? number(rotation) : null,
        notifications,
      });
      setSaved(true);
      changed();
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
      <Field label="Clear the clipboard after (seconds)" hint="5 to 600; default 30">
        <input name="clipboard" inputMode="numeric" value={clipboard} onChange={(event) => setClipboard(event.target.value)} />
      </Field>
      <Field label="Hide revealed values after (seconds)" hint="5 to 600; default 30; they also hide when the window loses focus">
        <input name="reveal" inputMode="numeric" value={reveal} onChange={(event) => setReveal(event.target.value)} />
      </Field>
      <Field label="Idle lock after (minutes)" hint="hides revealed values and clears a copied secret; 0 turns it off; default 5">
        <input name="idle" inputMode="numeric" value={idle} onChange={(event) => setIdle(event.target.value)} />
      </Field>
      <Field label="Default rotation period (days)" hint="for new credentials; empty for none; default 90">
        <input name="rotation" inputMode="numeric" value={rotation} onChange={(event) => setRotation(event.target.value)} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={notifications} onChange={(event) => setNotifications(event.target.checked)} /> Desktop notifications about warnings
      </label>
      <div className="actions">
        <button type="submit" className="primary">
          Save settings
        </button>
      </div>
      {saved && (
        <p role="status" className="notice">
          Settings saved.
        </p>
      )}
    </form>
  );
}

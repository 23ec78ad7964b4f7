import { useEffect, useState } from "react";
import { api, describeError, type Credential } from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { RotateDialog } from "../components/RotateDialog";
import { RotationHistory } from "../components/RotationHistory";
import { ErrorBanner, Field, Loaded, formatDate, formatDateTime, optional, splitList } from "../components/common";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";

export function CredentialDetail({ name }: { name: string }) {
  const { revision } = useNavigation();
  const load = useLoad(() => Promise.all([api.credential(name), api.preferences()]), [name, revision]);
  return (
    <section aria-labelledby="credential-title">
      <Loaded load={load}>{([credential, preferences]) => <CredentialBody credential={credential} revealSeconds={preferences.reveal_seconds} />}</Loaded>
    </section>
  );
}

function CredentialBody({ credential, revealSeconds }: { credential: Credential; revealSeconds: number }) {
  const { go, changed } = useNavigation();
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const next = credential.rotate_every_days !== null ? new Date(new Date(credential.rotated_at).getTime() + credential.rotate_every_days * 86_400_000).toISOString() : null;

  const copy = async () => {
    setError(null);
    try {
      const seconds = await api.copyCredential(credential.name);
      setNotice(`Copied. The clipboard is cleared in ${seconds} s if it still holds the value.`);
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const remove = async () => {
    setConfirmDelete(false);
    try {
      await api.removeCredential(credential.name);
      changed();
      go({ screen: "inventory", tab: "credentials" });
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <>
      <header className="screen-head">
        <h1 id="credential-title">{credential.name}</h1>
        <div className="actions">
          <button onClick={() => setRotating(true)}>Rotate</button>
          <button onClick={() => setEditing((value) => !value)}>{editing ? "Cancel edit" : "Edit"}</button>
          <button className="danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        </div>
      </header>
      <ErrorBanner message={error} />
      <div className="secret-row">
        <Reveal name={credential.name} seconds={revealSeconds} onError={setError} />
        <button onClick={copy}>Copy</button>
      </div>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {editing ? (
        <EditCredential credential={credential} onDone={() => setEditing(false)} />
      ) : (
        <dl className="facts">
          <dt>Kind</dt>
          <dd>{credential.kind}</dd>
          <dt>Provider</dt>
          <dd>{credential.provider ?? "—"}</dd>
          <dt>Integration</dt>
          <dd>{credential.integration ? <button className="link" onClick={() => go({ screen: "integration", name: credential.integration ?? "" })}>{credential.integration}</button> : "—"}</dd>
          <dt>Allowed hosts</dt>
          <dd>{credential.allowed_hosts.length > 0 ? credential.allowed_hosts.join(", ") : "none (the value is never sent anywhere)"}</dd>
          <dt>Plain HTTP</dt>
          <dd>{credential.allow_insecure ? "allowed to its hosts" : "never"}</dd>
          <dt>Rotation</dt>
          <dd>{credential.rotate_every_days !== null ? `every ${credential.rotate_every_days} days, next ${formatDate(next)}` : "not scheduled"}</dd>
          <dt>Last set</dt>
          <dd>{formatDateTime(credential.rotated_at)}</dd>
          <dt>Expires</dt>
          <dd>{formatDate(credential.expires_at)}</dd>
          <dt>Stored</dt>
          <dd>{credential.storage === "keychain" ? "in the OS keychain" : "encrypted in the inventory, key in the OS keychain"} · {credential.value_length} bytes</dd>
          <dt>Fingerprint</dt>
          <dd className="mono">{credential.fingerprint.slice(0, 16)}…</dd>
          {credential.token_url && (
            <>
              <dt>Token URL</dt>
              <dd>{credential.token_url}</dd>
            </>
          )}
          {credential.notes && (
            <>
              <dt>Notes</dt>
              <dd>{credential.notes}</dd>
            </>
          )}
        </dl>
      )}
      {credential.certificate && (
        <>
          <h2>Certificate</h2>
          <dl className="facts">
            <dt>Subject</dt>
            <dd>{credential.certificate.subject}</dd>
            <dt>Issuer</dt>
            <dd>{credential.certificate.issuer}</dd>
            <dt>Names</dt>
            <dd>{credential.certificate.subject_alt_names.join(", ") || "—"}</dd>
            <dt>Valid</dt>
            <dd>
              {formatDate(credential.certificate.not_before)} to {formatDate(credential.certificate.not_after)}
            </dd>
            <dt>Key</dt>
            <dd>
              {credential.certificate.key_type} {credential.certificate.key_bits} bits
            </dd>
            <dt>Chain</dt>
            <dd>{credential.certificate.chain_length} certificate(s)</dd>
            <dt>SHA-256</dt>
            <dd className="mono">{credential.certificate.sha256_fingerprint}</dd>
          </dl>
        </>
      )}
      <RotationHistory name={credential.name} />
      {rotating && (
        <RotateDialog
          target={{ kind: "one", name: credential.name }}
          onClose={(rotated) => {
            setRotating(false);
            if (rotated) changed();
          }}
        />
      )}
      {confirmDelete && (
        <ConfirmDialog
          title={`Delete ${credential.name}?`}
          message="The value is removed from the keychain and the credential from the inventory. This cannot be undone."
          confirmLabel="Delete"
          onConfirm={remove}
          onCancel={() => setConfirmDelete(false)}
        />
      )}
    </>
  );
}

/** Shows the value until `seconds` pass, the window loses focus or the idle lock hits. */
function Reveal({ name, seconds, onError }: { name: string; seconds: number; onError: (message: string) => void }) {
  const { lockEpoch } = useNavigation();
  const [value, setValue] = useState<string | null>(null);
  const [remaining, setRemaining] = useState(0);

  useEffect(() => setValue(null), [lockEpoch, name]);
  useEffect(() => {
    if (value === null) return;
    const started = Date.now();
    const timer = window.setInterval(() => {
      const left = seconds - Math.floor((Date.now() - started) / 1000);
      if (left <= 0) setValue(null);
      else setRemaining(left);
    }, 250);
    return () => window.clearInterval(timer);
  }, [value, seconds]);

  if (value !== null) {
    return (
      <>
        <code className="secret" data-testid="revealed-value" aria-label="Revealed value">
          {value}
        </code>
        <span className="muted small" aria-live="polite">
          hides in {remaining} s
        </span>
        <button onClick={() => setValue(null)}>Hide</button>
      </>
    );
  }
  return (
    <>
      <code className="secret" aria-label="Hidden value">
        ••••••••••••
      </code>
      <button
        onClick={() =>
          api.revealCredential(name).then(
            (revealed) => {
              setRemaining(seconds);
              setValue(revealed);
            },
            (failure: unknown) => onError(describeError(failure)),
          )
        }
      >
        Reveal
      </button>
    </>
  );
}

function EditCredential({ credential, onDone }: { credential: Credential; onDone: () => void }) {
  const { changed } = useNavigation();
  const [provider, setProvider] = useState(credential.provider ?? "");
  const [hosts, setHosts] = useState(credential.allowed_hosts.join(", "));
  const [rotate, setRotate] = useState(credential.rotate_every_days?.toString() ?? "");
  const [insecure, setInsecure] = useState(credential.allow_insecure);
  const [notes, setNotes] = useState(credential.notes ?? "");
  const [error, setError] = useState<string | null>(null);
  const rotateError = rotate.trim() && !/^\d+$/.test(rotate.trim()) ? "a whole number of days" : undefined;

  const save = async () => {
    if (rotateError) return;
    try {
      await api.editCredential(credential.name, {
        provider: optional(provider),
        integration: credential.integration,
        expires_at: credential.expires_at,
        rotate_every_days: rotate.trim() ? Number(rotate.trim()) : null,
        allowed_hosts: splitList(hosts),
        allow_insecure: insecure,
        token_url: credential.token_url,
        notes: optional(notes),
      });
      changed();
      onDone();
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
      <Field label="Provider">
        <input value={provider} onChange={(event) => setProvider(event.target.value)} />
      </Field>
      <Field label="Allowed hosts" hint="comma or space separated; *.example.com allows subdomains">
        <input value={hosts} onChange={(event) => setHosts(event.target.value)} />
      </Field>
      <Field label="Rotate every (days)" error={rotateError}>
        <input inputMode="numeric" value={rotate} onChange={(event) => setRotate(event.target.value)} />
      </Field>
      <label className="check">
        <input type="checkbox" checked={insecure} onChange={(event) => setInsecure(event.target.checked)} /> Allow plain HTTP to its hosts
      </label>
      <Field label="Notes">
        <textarea value={notes} onChange={(event) => setNotes(event.target.value)} />
      </Field>
      <div className="actions">
        <button type="submit" className="primary">
          Save
        </button>
      </div>
    </form>
  );
}

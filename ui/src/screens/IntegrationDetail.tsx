import { useState } from "react";
import { api, describeError } from "../api";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorBanner, Loaded, formatDateTime } from "../components/common";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";
import { authLabel } from "./Inventory";

export function IntegrationDetail({ name }: { name: string }) {
  const { go, changed, revision } = useNavigation();
  const load = useLoad(() => Promise.all([api.integration(name), api.credentials()]), [name, revision]);
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const remove = async () => {
    setConfirm(false);
    try {
      await api.removeIntegration(name);
      changed();
      go({ screen: "inventory", tab: "integrations" });
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <section aria-labelledby="integration-title">
      <header className="screen-head">
        <h1 id="integration-title">{name}</h1>
        <div className="actions">
          <button onClick={() => go({ screen: "edit-integration", name })}>Edit</button>
          <button className="danger" onClick={() => setConfirm(true)}>
            Delete
          </button>
        </div>
      </header>
      <ErrorBanner message={error} />
      <Loaded load={load}>
        {([integration, credentials]) => {
          const linked = credentials.filter((credential) => credential.integration === integration.name);
          return (
            <>
              <dl className="facts">
                <dt>Provider</dt>
                <dd>{integration.provider}</dd>
                <dt>Owner</dt>
                <dd>{integration.owner}</dd>
                <dt>Environment</dt>
                <dd>{integration.environment}</dd>
                <dt>Tags</dt>
                <dd>{integration.tags.join(", ") || "—"}</dd>
                <dt>OIDC issuer</dt>
                <dd>{integration.issuer ?? "—"}</dd>
                <dt>Created</dt>
                <dd>{formatDateTime(integration.created_at)}</dd>
              </dl>
              <h2>Endpoints</h2>
              <table className="plain">
                <thead>
                  <tr>
                    <th>URL</th>
                    <th>Auth</th>
                    <th>Credential</th>
                    <th>Posture</th>
                  </tr>
                </thead>
                <tbody>
                  {integration.endpoints.map((endpoint) => (
                    <tr key={endpoint.id}>
                      <td>{endpoint.url}</td>
                      <td>{authLabel(endpoint.auth)}</td>
                      <td>{endpoint.credential ? <button className="link" onClick={() => go({ screen: "credential", name: endpoint.credential ?? "" })}>{endpoint.credential}</button> : "—"}</td>
                      <td className="muted">not probed yet</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h2>Credentials</h2>
              {linked.length === 0 ? (
                <p className="muted">No credential belongs to this integration.</p>
              ) : (
                <ul>
                  {linked.map((credential) => (
                    <li key={credential.name}>
                      <button className="link" onClick={() => go({ screen: "credential", name: credential.name })}>
                        {credential.name}
                      </button>{" "}
                      <span className="muted">{credential.kind}</span>
                    </li>
                  ))}
                </ul>
              )}
            </>
          );
        }}
      </Loaded>
      {confirm && (
        <ConfirmDialog
          title={`Delete ${name}?`}
          message="The integration and its endpoints are removed; its credentials stay in the inventory, unlinked."
          confirmLabel="Delete"
          onConfirm={remove}
          onCancel={() => setConfirm(false)}
        />
      )}
    </section>
  );
}

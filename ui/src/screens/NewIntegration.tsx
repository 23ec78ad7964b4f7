import { useState } from "react";
import { api, describeError, type AuthMethod, type Environment, type Integration } from "../api";
import { ErrorBanner, Field, Loaded, optional, splitList } from "../components/common";
import { authLabel } from "./Inventory";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";

interface EndpointDraft {
  url: string;
  auth: string;
  credential: string;
}

/** Parses `header:NAME`, `bearer`, `basic`, `query:NAME`, `mtls`, `none`. */
export function parseAuth(text: string): AuthMethod | null {
  const trimmed = text.trim();
  if (trimmed === "bearer" || trimmed === "basic" || trimmed === "mtls" || trimmed === "none") return { method: trimmed };
  const named = /^(header|query):(\S+)$/.exec(trimmed);
  if (named?.[1] === "header" && named[2]) return { method: "header", name: named[2] };
  if (named?.[1] === "query" && named[2]) return { method: "query", name: named[2] };
  return null;
}

export function NewIntegration() {
  return <IntegrationForm />;
}

/** The same form, filled with an integration's current details; its name stays. */
export function EditIntegration({ name }: { name: string }) {
  const { revision } = useNavigation();
  const load = useLoad(() => api.integration(name), [name, revision]);
  return <Loaded load={load}>{(integration) => <IntegrationForm key={integration.name} existing={integration} />}</Loaded>;
}

function IntegrationForm({ existing }: { existing?: Integration }) {
  const { go, changed, revision } = useNavigation();
  const credentials = useLoad(() => api.credentials(), [revision]);
  const [name, setName] = useState(existing?.name ?? "");
  const [provider, setProvider] = useState(existing?.provider ?? "");
  const [owner, setOwner] = useState(existing?.owner ?? "");
  const [environment, setEnvironment] = useState<Environment>(existing?.environment ?? "prod");
  const [tags, setTags] = useState(existing?.tags.join(", ") ?? "");
  const [issuer, setIssuer] = useState(existing?.issuer ?? "");
  const [notes] = useState(existing?.notes ?? null);
  const [endpoints, setEndpoints] = useState<EndpointDraft[]>(
    existing && existing.endpoints.length > 0
      ? existing.endpoints.map((endpoint) => ({ url: endpoint.url, auth: authLabel(endpoint.auth), credential: endpoint.credential ?? "" }))
      : [{ url: "", auth: "bearer", credential: "" }],
  );
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const problems: Record<string, string> = {};
  if (!name.trim()) problems.name = "required";
  if (!provider.trim()) problems.provider = "required";
  if (!owner.trim()) problems.owner = "required";
  endpoints.forEach((endpoint, index) => {
    if (!/^https?:\/\/\S+$/.test(endpoint.url.trim())) problems[`url${index}`] = "an http(s) URL";
    if (!parseAuth(endpoint.auth)) problems[`auth${index}`] = "header:NAME, bearer, basic, query:NAME, mtls or none";
  });
  const shown = touched ? problems : {};
  const setEndpoint = (index: number, change: Partial<EndpointDraft>) => setEndpoints((current) => current.map((endpoint, at) => (at === index ? { ...endpoint, ...change } : endpoint)));

  const submit = async () => {
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    const details = {
      provider: provider.trim(),
      owner: owner.trim(),
      environment,
      tags: splitList(tags),
      notes,
      issuer: optional(issuer),
      endpoints: endpoints.map((endpoint) => ({ url: endpoint.url.trim(), auth: parseAuth(endpoint.auth) ?? { method: "none" }, credential: optional(endpoint.credential) })),
    };
    try {
      const saved = existing ? await api.editIntegration(existing.name, details) : await api.addIntegration({ name: name.trim(), ...details });
      changed();
      go({ screen: "integration", name: saved.name });
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <section aria-labelledby="new-integration-title">
      <h1 id="new-integration-title">{existing ? `Edit ${existing.name}` : "New integration"}</h1>
      <form
        className="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <ErrorBanner message={error} />
        <Field label="Name" error={shown.name}>
          <input name="name" value={name} readOnly={existing !== undefined} onChange={(event) => setName(event.target.value)} />
        </Field>
        <Field label="Provider" error={shown.provider}>
          <input name="provider" value={provider} onChange={(event) => setProvider(event.target.value)} />
        </Field>
        <Field label="Owner" error={shown.owner} hint="team or person responsible">
          <input name="owner" value={owner} onChange={(event) => setOwner(event.target.value)} />
        </Field>
        <Field label="Environment">
          <select name="environment" value={environment} onChange={(event) => setEnvironment(event.target.value as Environment)}>
            <option value="prod">prod</option>
            <option value="staging">staging</option>
            <option value="dev">dev</option>
          </select>
        </Field>
        <Field label="Tags" hint="comma separated">
          <input name="tags" value={tags} onChange={(event) => setTags(event.target.value)} />
        </Field>
        <Field label="OIDC issuer" hint="optional, for discovery checks">
          <input name="issuer" value={issuer} onChange={(event) => setIssuer(event.target.value)} />
        </Field>
        <fieldset>
          <legend>Endpoints</legend>
          {endpoints.map((endpoint, index) => (
            <div className="endpoint-row" key={index}>
              <Field label={`URL ${index + 1}`} error={shown[`url${index}`]}>
                <input name={`url${index}`} value={endpoint.url} onChange={(event) => setEndpoint(index, { url: event.target.value })} />
              </Field>
              <Field label="Auth" error={shown[`auth${index}`]}>
                <input name={`auth${index}`} value={endpoint.auth} onChange={(event) => setEndpoint(index, { auth: event.target.value })} />
              </Field>
              <Field label="Credential">
                <select name={`credential${index}`} value={endpoint.credential} onChange={(event) => setEndpoint(index, { credential: event.target.value })}>
                  <option value="">none</option>
                  {credentials.state === "ready" &&
                    credentials.value.map((credential) => (
                      <option key={credential.name} value={credential.name}>
                        {credential.name}
                      </option>
                    ))}
                </select>
              </Field>
              {endpoints.length > 1 && (
                <button type="button" aria-label={`Remove endpoint ${index + 1}`} onClick={() => setEndpoints((current) => current.filter((_, at) => at !== index))}>
                  Remove
                </button>
              )}
            </div>
          ))}
          <button type="button" onClick={() => setEndpoints((current) => [...current, { url: "", auth: "bearer", credential: "" }])}>
            Add endpoint
          </button>
        </fieldset>
        <div className="actions">
          <button type="button" onClick={() => go(existing ? { screen: "integration", name: existing.name } : { screen: "inventory", tab: "integrations" })}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Save integration
          </button>
        </div>
      </form>
    </section>
  );
}

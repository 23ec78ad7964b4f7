import type { ColumnDef } from "@tanstack/react-table";
import { useMemo, useState } from "react";
import { api, type AuthMethod, type Credential, type Integration, type IntegrationGrade } from "../api";
import { Loaded, formatDate } from "../components/common";
import { ProbeAll } from "../components/ProbeAll";
import { VirtualTable } from "../components/VirtualTable";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";
import { usePostureEpoch } from "../usePosture";

/** A credential row with what its integration tells about it. */
interface CredentialRow {
  name: string;
  kind: string;
  provider: string;
  integration: string;
  owner: string;
  environment: string;
  auth: string;
  grade: string;
  nextRotation: string;
}

export function authLabel(auth: AuthMethod): string {
  switch (auth.method) {
    case "header":
      return `header:${auth.name}`;
    case "query":
      return `query:${auth.name}`;
    default:
      return auth.method;
  }
}

export function credentialRows(credentials: Credential[], integrations: Integration[], grades: IntegrationGrade[] = []): CredentialRow[] {
  const byName = new Map(integrations.map((integration) => [integration.name, integration]));
  const gradeOf = new Map(grades.map((entry) => [entry.integration, entry.grade]));
  return credentials.map((credential) => {
    const integration = credential.integration ? byName.get(credential.integration) : undefined;
    const endpoint = integration?.endpoints.find((candidate) => candidate.credential === credential.name);
    const next = credential.rotate_every_days !== null ? new Date(new Date(credential.rotated_at).getTime() + credential.rotate_every_days * 86_400_000).toISOString() : null;
    return {
      name: credential.name,
      kind: credential.kind,
      provider: credential.provider ?? "",
      integration: credential.integration ?? "",
      owner: integration?.owner ?? "",
      environment: integration?.environment ?? "",
      auth: endpoint ? authLabel(endpoint.auth) : "",
      // The grade of the integration whose endpoints use this credential.
      grade: credential.integration ? (gradeOf.get(credential.integration) ?? "") : "",
      nextRotation: next ? formatDate(next) : "",
    };
  });
}

const CREDENTIAL_COLUMNS: ColumnDef<CredentialRow, string>[] = [
  { accessorKey: "name", header: "Name" },
  { accessorKey: "kind", header: "Kind" },
  { accessorKey: "provider", header: "Provider" },
  { accessorKey: "owner", header: "Owner" },
  { accessorKey: "environment", header: "Environment" },
  { accessorKey: "auth", header: "Auth method" },
  { accessorKey: "grade", header: "Grade", cell: (cell) => cell.getValue() || "—" },
  { accessorKey: "nextRotation", header: "Next rotation", cell: (cell) => cell.getValue() || "—" },
];

interface IntegrationRow {
  name: string;
  provider: string;
  owner: string;
  environment: string;
  endpoints: string;
  auth: string;
  grade: string;
}

const INTEGRATION_COLUMNS: ColumnDef<IntegrationRow, string>[] = [
  { accessorKey: "name", header: "Name" },
  { accessorKey: "provider", header: "Provider" },
  { accessorKey: "owner", header: "Owner" },
  { accessorKey: "environment", header: "Environment" },
  { accessorKey: "endpoints", header: "Endpoints" },
  { accessorKey: "auth", header: "Auth method" },
  { accessorKey: "grade", header: "Grade", cell: (cell) => cell.getValue() || "—" },
];

export function Inventory({ tab }: { tab: "credentials" | "integrations" }) {
  const { go, revision } = useNavigation();
  const [filter, setFilter] = useState("");
  const postureEpoch = usePostureEpoch();
  const load = useLoad(() => Promise.all([api.credentials(), api.integrations(), api.integrationGrades()]), [revision, postureEpoch]);
  const rows = useMemo(() => {
    if (load.state !== "ready") return { credentials: [], integrations: [] };
    const [credentials, integrations, grades] = load.value;
    const gradeOf = new Map(grades.map((entry) => [entry.integration, entry.grade]));
    return {
      credentials: credentialRows(credentials, integrations, grades),
      integrations: integrations.map((integration) => ({
        name: integration.name,
        provider: integration.provider,
        owner: integration.owner,
        environment: integration.environment,
        endpoints: integration.endpoints.map((endpoint) => endpoint.url).join(", "),
        auth: [...new Set(integration.endpoints.map((endpoint) => authLabel(endpoint.auth)))].join(", "),
        grade: gradeOf.get(integration.name) ?? "",
      })),
    };
  }, [load]);

  return (
    <section aria-labelledby="inventory-title" className="inventory">
      <header className="screen-head">
        <h1 id="inventory-title">Inventory</h1>
        <div className="actions">
          {tab === "integrations" && <ProbeAll />}
          <button onClick={() => go({ screen: "new-integration" })}>New integration</button>
          <button className="primary" onClick={() => go({ screen: "new-credential" })}>
            New credential
          </button>
        </div>
      </header>
      <div className="toolbar">
        <div role="tablist" aria-label="Inventory">
          <button role="tab" aria-selected={tab === "credentials"} onClick={() => go({ screen: "inventory", tab: "credentials" })}>
            Credentials{load.state === "ready" ? ` (${load.value[0].length})` : ""}
          </button>
          <button role="tab" aria-selected={tab === "integrations"} onClick={() => go({ screen: "inventory", tab: "integrations" })}>
            Integrations{load.state === "ready" ? ` (${load.value[1].length})` : ""}
          </button>
        </div>
        <input
          type="search"
          aria-label={`Filter ${tab}`}
          placeholder={`Filter ${tab}…`}
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
        />
      </div>
      <Loaded load={load}>
        {() =>
          tab === "credentials" ? (
            <VirtualTable label="Credentials" rows={rows.credentials} columns={CREDENTIAL_COLUMNS} filter={filter} rowKey={(row) => row.name} onOpen={(row) => go({ screen: "credential", name: row.name })} />
          ) : (
            <VirtualTable label="Integrations" rows={rows.integrations} columns={INTEGRATION_COLUMNS} filter={filter} rowKey={(row) => row.name} onOpen={(row) => go({ screen: "integration", name: row.name })} />
          )
        }
      </Loaded>
    </section>
  );
}

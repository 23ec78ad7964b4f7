import { useState } from "react";
import { api, type AuthMethod, type CredentialRow, type IntegrationRow } from "../api";
import { Loaded, formatDate } from "../components/common";
import { ProbeAll } from "../components/ProbeAll";
import { VirtualTable, type Column } from "../components/VirtualTable";
import { useNavigation } from "../navigation";
import { useLoad } from "../useLoad";
import { usePostureEpoch } from "../usePosture";

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

// Rows arrive joined and graded from the library (`inventory`), the same rows the CLI
// lists. Cells read plain strings so the table's filter and sort see what is shown;
// dates stay ISO (they sort as text) and are shortened only for the rows in view.
const dash = (value: string) => value || "—";

const CREDENTIAL_COLUMNS: Column<CredentialRow>[] = [
  { id: "name", value: (row) => row.name, header: "Name" },
  { id: "kind", value: (row) => row.kind, header: "Kind" },
  { id: "provider", value: (row) => row.provider ?? "", header: "Provider" },
  { id: "owner", value: (row) => row.owner ?? "", header: "Owner" },
  { id: "environment", value: (row) => row.environment ?? "", header: "Environment" },
  { id: "auth", value: (row) => row.auth.join(", "), header: "Auth method" },
  { id: "grade", value: (row) => row.grade ?? "", header: "Grade", show: dash },
  { id: "nextRotation", value: (row) => row.next_rotation ?? "", header: "Next rotation", show: formatDate },
];

const INTEGRATION_COLUMNS: Column<IntegrationRow>[] = [
  { id: "name", value: (row) => row.name, header: "Name" },
  { id: "provider", value: (row) => row.provider, header: "Provider" },
  { id: "owner", value: (row) => row.owner, header: "Owner" },
  { id: "environment", value: (row) => row.environment, header: "Environment" },
  { id: "endpoints", value: (row) => row.endpoints.join(", "), header: "Endpoints" },
  { id: "auth", value: (row) => row.auth.join(", "), header: "Auth method" },
  { id: "grade", value: (row) => row.grade ?? "", header: "Grade", show: dash },
];

export function Inventory({ tab }: { tab: "credentials" | "integrations" }) {
  const { go, revision } = useNavigation();
  const [filter, setFilter] = useState("");
  // Grades change when probes store results, whichever screen started them.
  const postureEpoch = usePostureEpoch();
  const load = useLoad(() => api.inventory(), [revision, postureEpoch]);

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
            Credentials{load.state === "ready" ? ` (${load.value.credentials.length})` : ""}
          </button>
          <button role="tab" aria-selected={tab === "integrations"} onClick={() => go({ screen: "inventory", tab: "integrations" })}>
            Integrations{load.state === "ready" ? ` (${load.value.integrations.length})` : ""}
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
        {(rows) =>
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

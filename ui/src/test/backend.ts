// An in-memory stand-in for the Rust commands, installed with `mockIPC`, so component
// tests exercise the real generated bindings and the real `{status, error}` handling.
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { authLabel } from "../screens/Inventory";
import type { AuditEntry, CommandError, Credential, Dashboard, Grade, Integration, IntegrationPosture, Inventory, PostureProgress, Preferences, ProbeRecord, ProbeRun } from "../bindings";

export interface FakeBackend {
  credentials: Credential[];
  integrations: Integration[];
  preferences: Preferences;
  dashboard: Dashboard;
  audit: AuditEntry[];
  calls: { command: string; args: Record<string, unknown> }[];
  values: Map<string, string>;
  /** Commands a test answers itself (rotation, ...), by command name. */
  handlers: Record<string, (args: Record<string, unknown>) => unknown>;
  /** Current posture per integration (`posture`); absent: never probed. */
  postures: Record<string, IntegrationPosture>;
  history: Record<string, ProbeRecord[]>;
  /** The latest grade per integration, as the library's inventory joins it; absent: not probed. */
  grades: Record<string, Grade>;
  /** What `probe_integration` finds per integration; absent: the library's "no endpoints" error. */
  probed: Record<string, IntegrationPosture>;
  /** Progress `probe_all` reports, in order, and what it returns. */
  probeAllProgress: PostureProgress[];
  probeAllRun: ProbeRun;
  /** While set, probes report their progress and then wait for it, so tests can look mid-run. */
  hold: Promise<void> | null;
  /** Commands that fail with the given error instead of answering. */
  failures: Record<string, CommandError>;
}

export function credential(name: string, overrides: Partial<Credential> = {}): Credential {
  return {
    id: 1,
    name,
    kind: "token",
    provider: "github",
    integration: null,
    created_at: "2026-01-01T00:00:00Z",
    rotated_at: "2026-01-01T00:00:00Z",
    expires_at: null,
    rotate_every_days: 90,
    rotation_method: null,
    allowed_hosts: ["api.github.com"],
    allow_insecure: false,
    token_url: null,
    fingerprint: "ab".repeat(32),
    value_length: 40,
    storage: "keychain",
    certificate: null,
    notes: null,
    ...overrides,
  };
}

/** The rows the library's `inventory` joins, from the fake's records and `grades`. */
function inventoryRows(backend: FakeBackend): Inventory {
  const byName = new Map(backend.integrations.map((integration) => [integration.name, integration]));
  const next = (item: Credential) => (item.rotate_every_days === null ? null : new Date(Date.parse(item.rotated_at) + item.rotate_every_days * 86_400_000).toISOString());
  return {
    credentials: backend.credentials.map((item) => {
      const users = backend.integrations.filter((candidate) => candidate.endpoints.some((endpoint) => endpoint.credential === item.name));
      const integration = (item.integration ? byName.get(item.integration) : undefined) ?? users[0];
      const endpoints = users.flatMap((user) => user.endpoints.filter((endpoint) => endpoint.credential === item.name));
      return {
        name: item.name,
        kind: item.kind,
        provider: item.provider,
        integration: integration?.name ?? null,
        owner: integration?.owner ?? null,
        environment: integration?.environment ?? null,
        auth: [...new Set(endpoints.map((endpoint) => authLabel(endpoint.auth)))],
        grade: item.integration ? (backend.grades[item.integration] ?? null) : null,
        next_rotation: next(item),
        expires_at: item.expires_at,
      };
    }),
    integrations: backend.integrations.map((integration) => ({
      name: integration.name,
      provider: integration.provider,
      owner: integration.owner,
      environment: integration.environment,
      endpoints: integration.endpoints.map((endpoint) => endpoint.url),
      auth: [],
      grade: backend.grades[integration.name] ?? null,
      credentials: backend.credentials.filter((item) => item.integration === integration.name).length,
    })),
  };
}

export function integration(name: string, overrides: Partial<Integration> = {}): Integration {
  return {
    id: 1,
    name,
    provider: "stripe",
    owner: "payments",
    environment: "staging",
    tags: ["pci"],
    notes: null,
    issuer: null,
    created_at: "2026-01-01T00:00:00Z",
    endpoints: [{ id: 1, url: "https://api.stripe.com/v1", auth: { method: "bearer" }, credential: null }],
    ...overrides,
  };
}

export function installBackend(seed: Partial<FakeBackend> = {}): FakeBackend {
  const backend: FakeBackend = {
    credentials: [],
    integrations: [],
    preferences: { clipboard_clear_seconds: 30, reveal_seconds: 30, idle_lock_minutes: 5, default_rotate_every_days: 90, notifications: true, probe_every_hours: 24 },
    dashboard: { credentials: 0, integrations: 0, overdue_rotations: 0, expiring_certificates: 0, leaks: null, failing_posture: null, warnings: [] },
    audit: [],
    calls: [],
    values: new Map(),
    postures: {},
    history: {},
    grades: {},
    probed: {},
    probeAllProgress: [],
    probeAllRun: { probed: 0, failed: 0, regressions: 0 },
    hold: null,
    failures: {},
    ...seed,
    handlers: { rotation_history: () => [], ...seed.handlers },
  };
  const notFound = (name: string) => ({ code: "not-found", message: `credential \`${name}\` does not exist` });
  mockIPC(
    async (command, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      backend.calls.push({ command, args });
      const name = args.name as string;
      const failure = backend.failures[command];
      if (failure) throw failure;
      switch (command) {
        case "window_ready":
          return null;
        case "dashboard":
          return backend.handlers.dashboard ? backend.handlers.dashboard(args) : backend.dashboard;
        case "get_preferences":
          return backend.preferences;
        case "set_preferences":
          backend.preferences = args.preferences as Preferences;
          return backend.preferences;
        case "list_credentials":
          return backend.credentials;
        case "list_integrations":
          return backend.integrations;
        case "inventory":
          return inventoryRows(backend);
        case "get_integration": {
          const found = backend.integrations.find((item) => item.name === name);
          if (!found) throw { code: "not-found", message: `integration \`${name}\` does not exist` };
          return found;
        }
        case "posture":
          return backend.postures[name] ?? { integration: name, grade: null, probed_at: null, endpoints: [] };
        case "probe_history":
          return backend.history[name] ?? [];
        case "probe_integration": {
          const found = backend.probed[name];
          if (!found) throw { code: "invalid-input", message: `invalid integration: \`${name}\` has no endpoints to probe` };
          let done = 0;
          for (const endpoint of found.endpoints) {
            done += 1;
            const progress: PostureProgress = { scope: "integration", integration: name, target: endpoint.target, done, total: found.endpoints.length, grade: endpoint.report?.grade ?? null };
            await emit("posture-progress", progress);
          }
          if (backend.hold) await backend.hold;
          backend.postures[name] = found;
          const records = found.endpoints.flatMap((endpoint) => (endpoint.report ? [{ integration: name, report: endpoint.report, regression: null }] : []));
          backend.history[name] = [...records, ...(backend.history[name] ?? [])];
          await emit("posture-changed", { scope: "integration", probed: found.endpoints.length, regressions: 0 });
          return found;
        }
        case "probe_all":
          for (const progress of backend.probeAllProgress) await emit("posture-progress", progress);
          if (backend.hold) await backend.hold;
          if (backend.probeAllRun.probed > 0) await emit("posture-changed", { scope: "all", probed: backend.probeAllRun.probed, regressions: backend.probeAllRun.regressions });
          return backend.probeAllRun;
        case "edit_integration": {
          const edit = args.edit as Omit<Integration, "id" | "name" | "created_at" | "endpoints"> & { endpoints: Omit<Integration["endpoints"][number], "id">[] };
          const index = backend.integrations.findIndex((item) => item.name === name);
          const current = backend.integrations[index];
          if (!current) throw { code: "not-found", message: `integration \`${name}\` does not exist` };
          const updated: Integration = { ...current, ...edit, endpoints: edit.endpoints.map((endpoint, at) => ({ id: at + 1, ...endpoint })) };
          backend.integrations[index] = updated;
          return updated;
        }
        case "get_credential": {
          const found = backend.credentials.find((item) => item.name === name);
          if (!found) throw notFound(name);
          return found;
        }
        case "add_credential": {
          const draft = args.credential as Credential;
          if (backend.credentials.some((item) => item.name === draft.name)) {
            throw { code: "already-exists", message: `credential \`${draft.name}\` already exists` };
          }
          const created = credential(draft.name, { kind: draft.kind, provider: draft.provider, allowed_hosts: draft.allowed_hosts, rotate_every_days: draft.rotate_every_days });
          backend.credentials.push(created);
          backend.values.set(draft.name, args.value as string);
          return created;
        }
        case "reveal_credential":
          return backend.values.get(name) ?? "";
        case "copy_credential":
          return backend.preferences.clipboard_clear_seconds;
        case "clear_copied_secret":
          return false;
        case "remove_credential":
          backend.credentials = backend.credentials.filter((item) => item.name !== name);
          return null;
        case "audit_entries":
          return backend.audit;
        case "verify_audit":
          return { entries: backend.audit.length, intact: true, problems: [], unanchored: 0 };
        case "preview_import":
          return [
            { name: "STRIPE_API_KEY", kind: "api-key", provider: "stripe", line: 1, redacted: "sk_t…(24)", skip: null },
            { name: "DEBUG", kind: "secret", provider: null, line: 2, redacted: "tr…(4)", skip: "does not look like a secret" },
          ];
        case "get_scan_settings":
          return { settings: { roots: [], every_hours: 24 }, last_scan_at: null, next_scan_at: null, running: false };
        case "import_file":
          return { created: [credential("STRIPE_API_KEY", { kind: "api-key" })], skipped: [{ name: "DEBUG", line: 2, reason: "does not look like a secret" }] };
        default: {
          const handler = backend.handlers[command];
          if (handler) return handler(args);
          throw new Error(`the fake backend has no command ${command}`);
        }
      }
    },
    { shouldMockEvents: true },
  );
  return backend;
}

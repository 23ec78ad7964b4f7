// The Leaks screen, the import-found-secret flow and the dashboard's scan actions, with
// the IPC mocked: the real generated bindings run against an in-memory stand-in.
import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { useState, type ReactNode } from "react";
import { describe, expect, it } from "vitest";
import type { Dashboard as DashboardData, FoundSecret, RootsScanOutcome, ScanOverview } from "../bindings";
import { ScanSettingsSection } from "../components/ScanSettings";
import { NavigationContext, type Route } from "../navigation";
import { Dashboard } from "./Dashboard";
import { Leaks } from "./Leaks";

function found(id: number, overrides: Partial<FoundSecret> = {}): FoundSecret {
  return {
    id,
    rule: "stripe-secret-key",
    kind: "secret",
    provider: "Stripe",
    description: "Stripe secret key",
    root: "/home/dev/shop",
    path: "config/payments.env",
    line: 4,
    column: 15,
    commit: null,
    redacted: "sk_l…(40)",
    vault_credential: null,
    severity: "medium",
    action: { action: "import", finding_id: id },
    credential_kind: "api-key",
    confidence: "medium",
    suggested_name: "stripe-secret-key",
    first_seen: "2026-03-01T10:00:00Z",
    ...overrides,
  };
}

const OVERVIEW: ScanOverview = { settings: { roots: ["/home/dev/shop"], every_hours: 24 }, last_scan_at: null, next_scan_at: null, running: false };

interface Fake {
  findings: FoundSecret[];
  overview: ScanOverview;
  dashboard: DashboardData;
  calls: { command: string; args: Record<string, unknown> }[];
  /** Resolves the pending `scan_now` call. */
  finishScan: ((outcome: RootsScanOutcome) => void) | null;
}

function installFake(seed: Partial<Fake> = {}): Fake {
  const fake: Fake = {
    findings: [],
    overview: OVERVIEW,
    dashboard: { credentials: 0, integrations: 0, overdue_rotations: 0, expiring_certificates: 0, leaks: 0, failing_posture: null, warnings: [] },
    calls: [],
    finishScan: null,
    ...seed,
  };
  mockIPC(
    (command, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      fake.calls.push({ command, args });
      switch (command) {
        case "list_found_secrets":
          return fake.findings;
        case "get_scan_settings":
          return fake.overview;
        case "set_scan_settings": {
          const settings = args.settings as ScanOverview["settings"];
          if (settings.every_hours === 0) throw { code: "invalid-input", message: "scan schedule (hours): 0 is outside 1..=720" };
          fake.overview = { ...fake.overview, settings };
          return fake.overview;
        }
        case "scan_now":
          return new Promise<RootsScanOutcome>((resolve) => {
            fake.finishScan = resolve;
          });
        case "import_found_secret": {
          fake.findings = fake.findings.filter((finding) => finding.id !== args.findingId);
          return { name: args.name, kind: args.kind };
        }
        case "accept_finding":
          fake.findings = fake.findings.filter((finding) => finding.id !== args.findingId);
          return null;
        case "open_finding_file":
          return "opened";
        case "dashboard":
          return fake.dashboard;
        case "window_ready":
          return null;
        case "plugin:dialog|open":
          return "/home/dev/code";
        default:
          throw new Error(`the fake backend has no command ${command}`);
      }
    },
    { shouldMockEvents: true },
  );
  return fake;
}

/** Renders `children` with a working navigation (revision bumps reload screens). */
function WithNavigation({ children }: { children: ReactNode }) {
  const [route, setRoute] = useState<Route>({ screen: "leaks" });
  const [revision, setRevision] = useState(0);
  return (
    <NavigationContext.Provider value={{ route, go: setRoute, revision, changed: () => setRevision((value) => value + 1), lockEpoch: 0 }}>
      <span data-testid="route">{route.screen}</span>
      {children}
    </NavigationContext.Provider>
  );
}

const called = (fake: Fake, command: string) => fake.calls.filter((call) => call.command === command);

describe("leaks screen", () => {
  it("lists findings redacted, with severity, place and the fix that fits whether the vault holds the secret", async () => {
    installFake({
      findings: [
        found(1, { severity: "critical", kind: "leak", rule: "github-pat", vault_credential: "github-ci", redacted: "ghp_ab…(40)", action: { action: "rotate", credential: "github-ci" }, confidence: "high" }),
        found(2, { confidence: "low" }),
      ],
    });
    render(
      <WithNavigation>
        <Leaks />
      </WithNavigation>,
    );
    const rows = await screen.findAllByTestId("finding");
    expect(rows).toHaveLength(2);
    const [leak, unmanaged] = rows as [HTMLElement, HTMLElement];
    expect(within(leak).getByText("Critical")).toBeInTheDocument();
    expect(within(leak).getByText("ghp_ab…(40)")).toBeInTheDocument();
    expect(within(leak).getByText("matches github-ci")).toBeInTheDocument();
    expect(within(leak).getByRole("button", { name: "Rotate github-ci" })).toBeInTheDocument();
    expect(within(leak).queryByRole("button", { name: "Import…" }), "a vault credential is rotated, not imported again").toBeNull();
    expect(within(leak).getByTestId("confidence")).toHaveTextContent("high confidence");
    expect(within(unmanaged).getByText("Medium")).toBeInTheDocument();
    expect(within(unmanaged).getByTestId("confidence")).toHaveTextContent("low confidence");
    expect(within(unmanaged).getByText("config/payments.env:4")).toBeInTheDocument();
    expect(within(unmanaged).getByText("not in the vault")).toBeInTheDocument();
    expect(within(unmanaged).getByRole("button", { name: "Import…" })).toBeInTheDocument();
    await userEvent.click(within(leak).getByRole("button", { name: "Rotate github-ci" }));
    expect(screen.getByTestId("route")).toHaveTextContent("credential");
  });

  it("shows live progress while a scan runs without blocking the screen, then the outcome and the new findings", async () => {
    const fake = installFake({ findings: [found(4, { path: "old.env" })] });
    render(
      <WithNavigation>
        <Leaks />
      </WithNavigation>,
    );
    expect(await screen.findByText("old.env:4")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Scan now" }));
    expect(screen.getByRole("button", { name: "Scanning…" })).toBeDisabled();
    await act(() => emit("scan-progress", { progress: { root: "/home/dev/shop", root_index: 1, roots: 1, files_scanned: 120, bytes_scanned: 3 * 1024 * 1024, findings: 1 } }));
    expect(await screen.findByText(/Scanning \/home\/dev\/shop \(1 of 1\): 120 files, 3\.0 MB, 1 found so far/)).toBeInTheDocument();
    // The screen stays usable while the scan runs: accepting a finding works meanwhile.
    await userEvent.click(screen.getByRole("button", { name: "Accept" }));
    await userEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Accept" }));
    expect(await screen.findByTestId("no-findings")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Scanning…" }), "the scan is still running").toBeDisabled();
    fake.findings = [found(5)];
    await waitFor(() => expect(fake.finishScan).not.toBeNull());
    await act(async () => fake.finishScan?.({ roots: 1, files_scanned: 200, bytes_scanned: 4096, findings: 1, accepted: 1, failed: [] }));
    expect(await screen.findByText(/Scan finished: 200 files, 4\.0 KB in 1 folder; 1 found, 1 accepted earlier/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Scan now" })).toBeEnabled();
    expect(await screen.findByText("config/payments.env:4"), "the findings reload after the scan").toBeInTheDocument();
  });

  it("shows a scheduled scan that is already running when the screen opens, and its end", async () => {
    installFake({ overview: { ...OVERVIEW, running: true } });
    render(
      <WithNavigation>
        <Leaks />
      </WithNavigation>,
    );
    expect(await screen.findByRole("button", { name: "Scanning…" })).toBeDisabled();
    await act(() => emit("scan-finished", { outcome: { roots: 1, files_scanned: 3, bytes_scanned: 10, findings: 0, accepted: 0, failed: [{ root: "/gone", message: "/gone: No such file or directory" }] }, error: null, scheduled: true }));
    expect(await screen.findByText(/Scan finished: 3 files/)).toBeInTheDocument();
    expect(screen.getByText(/\/gone: No such file or directory/)).toBeInTheDocument();
  });

  it("asks for folders when none are set", async () => {
    installFake({ overview: { ...OVERVIEW, settings: { roots: [], every_hours: 24 } } });
    render(
      <WithNavigation>
        <Leaks />
      </WithNavigation>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Add folders in Settings" }));
    expect(screen.getByTestId("route")).toHaveTextContent("settings");
  });

  it("accepts a finding after confirmation", async () => {
    const fake = installFake({ findings: [found(3)] });
    render(
      <WithNavigation>
        <Leaks />
      </WithNavigation>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Accept" }));
    await userEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Accept" }));
    expect(await screen.findByText("Finding accepted.")).toBeInTheDocument();
    expect(called(fake, "accept_finding")[0]?.args).toEqual({ findingId: 3 });
    expect(await screen.findByTestId("no-findings")).toBeInTheDocument();
  });
});

describe("importing a found secret", () => {
  it("takes a prefilled name and kind, refuses an empty name, and imports in one step by finding id", async () => {
    const fake = installFake({ findings: [found(7)] });
    render(
      <WithNavigation>
        <Leaks />
      </WithNavigation>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Import…" }));
    const dialog = screen.getByRole("dialog", { name: "Import into the vault" });
    const name = within(dialog).getByLabelText("Credential name");
    expect(name).toHaveValue("stripe-secret-key");
    expect(within(dialog).getByLabelText("Kind")).toHaveValue("api-key");
    expect(within(dialog).getByText("sk_l…(40)")).toBeInTheDocument();
    await userEvent.clear(name);
    await userEvent.click(within(dialog).getByRole("button", { name: "Import" }));
    expect(within(dialog).getByText("A name is required.")).toBeInTheDocument();
    expect(called(fake, "import_found_secret"), "an empty name never reaches the backend").toHaveLength(0);
    await userEvent.type(name, "shop-stripe");
    await userEvent.selectOptions(within(dialog).getByLabelText("Kind"), "secret");
    await userEvent.click(within(dialog).getByRole("button", { name: "Import" }));
    expect(await screen.findByText("Imported as shop-stripe; it is now in the keychain.")).toBeInTheDocument();
    expect(called(fake, "import_found_secret")[0]?.args).toEqual({ findingId: 7, name: "shop-stripe", kind: "secret" });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(await screen.findByTestId("no-findings")).toBeInTheDocument();
  });

  it("opens from the dashboard's Import action, and the dashboard's Open action opens the file", async () => {
    const fake = installFake({
      findings: [found(9)],
      dashboard: {
        credentials: 1,
        integrations: 0,
        overdue_rotations: 0,
        expiring_certificates: 0,
        leaks: 0,
        failing_posture: null,
        warnings: [
          { id: "unmanaged-secret:x", kind: "unmanaged-secret", severity: "medium", credential: null, message: "Stripe secret key found", due: null, action: { action: "import", finding_id: 9 }, finding_id: 9 },
          { id: "unmanaged-secret:y", kind: "unmanaged-secret", severity: "medium", credential: null, message: "in history", due: null, action: { action: "open-file", root: "/r", path: "a.env", line: 2 }, finding_id: 10 },
        ],
      },
    });
    render(
      <WithNavigation>
        <Dashboard />
      </WithNavigation>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Open a.env:2" }));
    expect(await screen.findByText("Opened in its default app.")).toBeInTheDocument();
    expect(called(fake, "open_finding_file")[0]?.args).toEqual({ findingId: 10 });
    await userEvent.click(screen.getByRole("button", { name: "Import into the vault" }));
    const dialog = await screen.findByRole("dialog", { name: "Import into the vault" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Import" }));
    await waitFor(() => expect(called(fake, "import_found_secret")[0]?.args).toEqual({ findingId: 9, name: "stripe-secret-key", kind: "api-key" }));
  });
});

describe("scan settings", () => {
  it("adds a folder picked in the dialog and shows the library's error naming a bad schedule", async () => {
    const fake = installFake({ overview: { ...OVERVIEW, settings: { roots: [], every_hours: 24 } } });
    render(
      <WithNavigation>
        <ScanSettingsSection />
      </WithNavigation>,
    );
    await userEvent.click(await screen.findByRole("button", { name: "Add folder…" }));
    expect(await screen.findByText("/home/dev/code")).toBeInTheDocument();
    const every = screen.getByLabelText("Scan every (hours)");
    await userEvent.clear(every);
    await userEvent.type(every, "0");
    await userEvent.click(screen.getByRole("button", { name: "Save scan settings" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("scan schedule (hours)");
    await userEvent.clear(every);
    await userEvent.click(screen.getByRole("button", { name: "Save scan settings" }));
    expect(await screen.findByText("Scan settings saved.")).toBeInTheDocument();
    expect(called(fake, "set_scan_settings").at(-1)?.args).toEqual({ settings: { roots: ["/home/dev/code"], every_hours: null } });
  });
});

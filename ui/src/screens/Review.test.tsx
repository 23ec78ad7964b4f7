import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { BoardRow, ReportRow, ReviewDecision, TeamBoard, TeamDatabaseInfo } from "../bindings";
import { credential, installBackend, integration, type FakeBackend } from "../test/backend";

type Handler = (args: Record<string, unknown>) => unknown;

interface ReviewBackend extends FakeBackend {
  board: TeamBoard;
  teamDatabase: TeamDatabaseInfo | null;
  decisions: ReviewDecision[];
}

/**
 * The shared fake backend plus the Review area's commands. The review handlers sit in
 * front of the shared ones (the IPC mock's `invoke` is wrapped), so this file needs no
 * change to the shared stand-in.
 */
function installReviewBackend(seed: Partial<ReviewBackend>, overrides: Record<string, Handler> = {}): ReviewBackend {
  const base = installBackend(seed);
  const backend = base as ReviewBackend;
  backend.board = seed.board ?? board([]);
  backend.teamDatabase = seed.teamDatabase ?? null;
  backend.decisions = seed.decisions ?? [];
  const handlers: Record<string, Handler> = {
    team_board: () => backend.board,
    team_database: () => backend.teamDatabase,
    // A fresh array per call, as IPC delivers one.
    review_decisions: () => [...backend.decisions],
    import_bundles: () => [],
    connect_team_database: (args) => {
      backend.teamDatabase = { target: String(args.url), ca: (args.ca as string | null) ?? null, pulled_at: "2026-11-22T10:00:00Z" };
      return backend.teamDatabase;
    },
    record_review: (args) => {
      const decision: ReviewDecision = {
        subject_kind: String(args.subjectKind),
        subject: String(args.subject),
        decision: String(args.decision),
        note: (args.note as string | null) ?? null,
        reviewer: "lead (app)",
        reviewed_at: "2026-11-22T10:00:00Z",
      };
      backend.decisions.push(decision);
      return decision;
    },
    ...overrides,
  };
  const internals = (window as unknown as { __TAURI_INTERNALS__: { invoke: (command: string, args?: unknown, options?: unknown) => Promise<unknown> } }).__TAURI_INTERNALS__;
  const shared = internals.invoke;
  internals.invoke = async (command, args, options) => {
    const handler = handlers[command];
    if (!handler) return shared(command, args, options);
    const payload = (args ?? {}) as Record<string, unknown>;
    backend.calls.push({ command, args: payload });
    return handler(payload);
  };
  return backend;
}

function row(workstation: string, name: string, owner: string, team: string, environment: string, severity: string): BoardRow {
  const report: ReportRow = {
    workstation,
    name,
    kind: "token",
    provider: "github",
    integration: `${name}-api`,
    owner,
    environment,
    created: "2026-01-01",
    rotated: "2026-01-01",
    rotate_every_days: "90",
    next_rotation: "2026-04-01",
    rotation_overdue: false,
    expires: "",
    grade: "A",
    open_findings: severity ? 1 : 0,
    worst_severity: severity,
    last_review: "",
  };
  return { source: workstation === "lead-laptop" ? "local" : "bundle", workstation_id: `id-${workstation}`, user: "ada", team, verified: true, row: report };
}

function board(rows: BoardRow[]): TeamBoard {
  return {
    rows,
    summary: {
      workstations: new Set(rows.map((entry) => entry.workstation_id)).size,
      credentials: rows.length,
      overdue_rotations: 0,
      altered_rows: 0,
      findings: [
        { severity: "critical", count: rows.filter((entry) => entry.row.worst_severity === "critical").length },
        { severity: "high", count: rows.filter((entry) => entry.row.worst_severity === "high").length },
      ],
    },
    shared_fingerprints: [],
    team_database: null,
  };
}

async function openReview() {
  await userEvent.click(screen.getByRole("button", { name: "Review" }));
  return screen.findByRole("table", { name: "Team credentials" });
}

describe("review: the team board", () => {
  it("narrows the table with the owner, team, environment and severity filters", async () => {
    installReviewBackend({
      board: board([
        row("lead-laptop", "github-ci", "platform", "core", "prod", "high"),
        row("build-box", "stripe-live", "payments", "money", "prod", "critical"),
        row("build-box", "sendgrid-dev", "payments", "money", "dev", ""),
      ]),
    });
    render(<App />);
    const table = await openReview();
    await waitFor(() => expect(within(table).getByText("sendgrid-dev")).toBeInTheDocument());
    expect(screen.getByLabelText("Credentials: 3")).toBeInTheDocument();
    expect(screen.getByLabelText("Critical findings: 1")).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("Filter by owner"), "payments");
    await waitFor(() => expect(within(table).queryByText("github-ci")).not.toBeInTheDocument());
    expect(within(table).getByText("stripe-live")).toBeInTheDocument();
    expect(screen.getByTestId("board-count")).toHaveTextContent("2 of 3 credentials");

    await userEvent.selectOptions(screen.getByLabelText("Filter by environment"), "dev");
    await waitFor(() => expect(within(table).queryByText("stripe-live")).not.toBeInTheDocument());
    expect(within(table).getByText("sendgrid-dev")).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("Filter by environment"), "");
    await userEvent.selectOptions(screen.getByLabelText("Filter by severity"), "critical");
    await waitFor(() => expect(within(table).queryByText("sendgrid-dev")).not.toBeInTheDocument());
    expect(within(table).getByText("stripe-live")).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("Filter by owner"), "");
    await userEvent.selectOptions(screen.getByLabelText("Filter by severity"), "");
    await userEvent.selectOptions(screen.getByLabelText("Filter by team"), "core");
    await waitFor(() => expect(within(table).queryByText("stripe-live")).not.toBeInTheDocument());
    expect(within(table).getByText("github-ci")).toBeInTheDocument();
    expect(screen.getByTestId("board-count")).toHaveTextContent("1 of 3 credentials");
  });
});

describe("review: importing bundles", () => {
  it("shows the verification error, then imports once the new workstation is trusted", async () => {
    const refusal = "/tmp/bob.json: workstation w-bob (bob-laptop) is not trusted yet; its key fingerprint is ab12:cd34. Check it with the workstation's owner, then import with --trust-new";
    const backend = installReviewBackend(
      {},
      {
        import_bundles: (args) => {
          if (!args.trustNew) throw { code: "invalid-input", message: refusal };
          return [{ path: "/tmp/bob.json", workstation: { id: "w-bob", hostname: "bob-laptop", user: "bob" }, sequence: 1, credentials: 2, newly_trusted: true, key_fingerprint: "ab12:cd34" }];
        },
      },
    );
    render(<App />);
    await openReview();
    await userEvent.click(screen.getByRole("button", { name: "Import bundles" }));
    expect(await screen.findByText("Choose at least one bundle file.")).toBeInTheDocument();
    expect(backend.calls.some((call) => call.command === "import_bundles")).toBe(false);

    await userEvent.type(screen.getByLabelText("Bundle files"), "/tmp/bob.json");
    await userEvent.click(screen.getByRole("button", { name: "Import bundles" }));
    const form = screen.getByRole("form", { name: "Import bundles" });
    const alert = await within(form).findByRole("alert");
    expect(alert).toHaveTextContent("is not trusted yet; its key fingerprint is ab12:cd34");
    expect(alert).toHaveTextContent("tick “Trust workstations seen for the first time” and import again");

    await userEvent.click(within(form).getByRole("checkbox"));
    await userEvent.click(screen.getByRole("button", { name: "Import bundles" }));
    expect(await screen.findByTestId("bundle-outcome")).toHaveTextContent("Imported bundle 1 from bob-laptop (bob, 2 credentials); now trusting key ab12:cd34");
    expect(backend.calls.filter((call) => call.command === "import_bundles").map((call) => call.args)).toEqual([
      { paths: ["/tmp/bob.json"], trustNew: false },
      { paths: ["/tmp/bob.json"], trustNew: true },
    ]);
  });
});

describe("review: the team database", () => {
  it("refuses a malformed URL and a doubled password before connecting", async () => {
    const backend = installReviewBackend({});
    render(<App />);
    await openReview();
    const connect = () => userEvent.click(screen.getByRole("button", { name: "Connect team database" }));
    await connect();
    expect(within(screen.getByRole("form", { name: "Connect team database" })).getByText("required")).toBeInTheDocument();

    const url = screen.getByLabelText("PostgreSQL URL");
    await userEvent.type(url, "mysql://lead@db.example/team");
    await connect();
    expect(screen.getByText("must start with postgres:// or postgresql://")).toBeInTheDocument();

    await userEvent.clear(url);
    await userEvent.type(url, "postgres://lead:inline@db.example/team");
    await userEvent.type(screen.getByLabelText("Password"), "hunter2");
    await connect();
    expect(screen.getByText("the URL already has a password; give it once")).toBeInTheDocument();
    expect(backend.calls.some((call) => call.command === "connect_team_database")).toBe(false);

    await userEvent.clear(url);
    await userEvent.type(url, "postgres://lead@db.example:5432/team?sslmode=require");
    await userEvent.type(screen.getByLabelText("CA certificate"), "/etc/team-ca.pem");
    await connect();
    expect(await screen.findByTestId("team-database")).toHaveTextContent("Connected to postgres://lead@db.example:5432/team?sslmode=require");
    expect(backend.calls.find((call) => call.command === "connect_team_database")?.args).toEqual({
      url: "postgres://lead@db.example:5432/team?sslmode=require",
      password: "hunter2",
      ca: "/etc/team-ca.pem",
    });
    expect(screen.getByRole("button", { name: "Sync now" })).toBeInTheDocument();
  });
});

describe("review: access review", () => {
  it("opens from the dashboard's review action and records a decision with its note", async () => {
    const backend = installReviewBackend({
      credentials: [credential("github-ci"), credential("old-token")],
      dashboard: {
        credentials: 2,
        integrations: 0,
        overdue_rotations: 0,
        expiring_certificates: 0,
        leaks: null,
        failing_posture: null,
        warnings: [
          {
            id: "review-overdue:old-token",
            severity: "low",
            kind: "review-overdue",
            credential: "old-token",
            message: "never reviewed; reviews are due every 90 days",
            due: null,
            action: { action: "review", credential: "old-token" },
            finding_id: null,
          },
        ],
      },
    });
    render(<App />);
    await userEvent.click(await screen.findByRole("button", { name: "Review old-token" }));
    const focused = await screen.findByTestId("review-old-token");
    expect(focused).toHaveClass("focused");
    expect(screen.getByRole("heading", { name: "Review" })).toBeInTheDocument();
    await userEvent.type(within(focused).getByLabelText("Note for old-token"), "still used by the nightly job");
    await userEvent.click(within(focused).getByRole("button", { name: "Keep old-token" }));
    await waitFor(() => expect(within(screen.getByTestId("review-old-token")).getByText(/keep by lead \(app\), 2026-11-22 \(still used by the nightly job\)/)).toBeInTheDocument());
    expect(backend.calls.find((call) => call.command === "record_review")?.args).toEqual({
      subjectKind: "credential",
      subject: "old-token",
      decision: "keep",
      note: "still used by the nightly job",
    });
  });
});

describe("review: access review of integrations", () => {
  it("lists integrations apart from credentials of the same name and records a decision on one", async () => {
    const backend = installReviewBackend({
      credentials: [credential("github")],
      integrations: [integration("github"), integration("stripe")],
      decisions: [
        { subject_kind: "credential", subject: "github", decision: "keep", note: null, reviewer: "lead (app)", reviewed_at: "2026-11-01T10:00:00Z" },
        { subject_kind: "integration", subject: "stripe", decision: "rotate", note: "vendor breach", reviewer: "lead (app)", reviewed_at: "2026-11-02T10:00:00Z" },
      ],
    });
    render(<App />);
    await userEvent.click(await screen.findByRole("button", { name: "Review" }));
    const integrations = await screen.findByRole("table", { name: "Access review of integrations" });
    // The credential's decision stays with the credential.
    expect(within(screen.getByTestId("review-github")).getByText(/keep by lead \(app\)/)).toBeInTheDocument();
    expect(within(screen.getByTestId("review-integration-github")).getByText("never reviewed")).toBeInTheDocument();
    expect(within(integrations).getByText(/rotate by lead \(app\), 2026-11-02 \(vendor breach\)/)).toBeInTheDocument();
    await userEvent.type(within(integrations).getByLabelText("Note for integration github"), "unused since the migration");
    await userEvent.click(within(integrations).getByRole("button", { name: "Revoke integration github" }));
    await waitFor(() => expect(within(screen.getByTestId("review-integration-github")).getByText(/revoke by lead \(app\)/)).toBeInTheDocument());
    expect(backend.calls.find((call) => call.command === "record_review")?.args).toEqual({
      subjectKind: "integration",
      subject: "github",
      decision: "revoke",
      note: "unused since the migration",
    });
  });
});

import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { emit } from "@tauri-apps/api/event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { AuditEntry, RotationPlan, RotationReport, RotationState } from "../bindings";
import { credential, installBackend } from "../test/backend";

function plan(name: string): RotationPlan {
  return {
    credential: name,
    method: "generate",
    lifecycle: "replace",
    steps: [
      { state: "created", description: "generate a new random value like the current one" },
      { state: "stored", description: "keep the new value in the keychain as pending" },
      { state: "verified", description: "check the new value's shape" },
      { state: "committed", description: "make the new value current" },
      { state: "propagated", description: "rewrite 2 file(s) that use the value" },
      { state: "revoked", description: "nothing to revoke for a local value" },
    ],
    verify_endpoints: ["https://api.stripe.com (bearer)"],
    files: [
      { path: "/srv/app/.env", origin: "registered", changes: [{ line: 3, before: "KEY=sk_l…(32)", after: "KEY=<new value>" }], problem: null },
      { path: "/home/me/project/leaked.env", origin: "leak-scan", changes: [{ line: 1, before: "STRIPE=sk_l…(32)", after: "STRIPE=<new value>" }], problem: null },
    ],
    grace_hours: 168,
    warnings: [],
  };
}

function entry(seq: number, name: string, state: string, extra: Record<string, unknown> = {}): AuditEntry {
  return { seq, at: "2026-03-01T10:00:00Z", actor: "me (app)", action: "credential.rotate", subject: name, detail: JSON.stringify({ rotation: 7, state, ...extra }), hash: "h".repeat(64) };
}

/** Sends what the Rust side emits after each journaled step. */
async function step(name: string, state: RotationState, message: string) {
  await act(async () => {
    await emit("rotation-progress", { index: 0, total: 1, step: { rotation_id: 7, credential: name, state, message } });
  });
}

/** A rotate command the test finishes when it wants, so progress can be seen first. */
function pendingRotation() {
  let finish: (report: RotationReport) => void = () => undefined;
  const promise = new Promise<RotationReport>((resolve) => {
    finish = resolve;
  });
  return { promise, finish: (report: RotationReport) => act(async () => finish(report)) };
}

describe("rotate dialog", () => {
  it("shows the plan from the dashboard's fix action, lets a file be skipped, follows every step and ends with the audit entries", async () => {
    const rotation = pendingRotation();
    const backend = installBackend({
      credentials: [credential("stripe", { kind: "api-key" })],
      dashboard: {
        credentials: 1,
        integrations: 0,
        overdue_rotations: 1,
        expiring_certificates: 0,
        leaks: null,
        failing_posture: null,
        warnings: [
          {
            id: "rotation-overdue:stripe",
            severity: "high",
            kind: "rotation-overdue",
            credential: "stripe",
            message: "rotation overdue by 3 days",
            due: "2026-01-01T00:00:00Z",
            action: { action: "rotate", credential: "stripe" },
            finding_id: null,
          },
        ],
      },
      audit: [entry(40, "stripe", "planned"), entry(41, "stripe", "done", { message: "rotation finished" })],
      handlers: { plan_rotation: () => plan("stripe"), rotate_credential: () => rotation.promise },
    });
    render(<App />);
    await userEvent.click(await screen.findByRole("button", { name: "Rotate stripe" }));

    const dialog = await screen.findByRole("dialog", { name: "Rotate stripe" });
    const shown = await within(dialog).findByTestId("rotation-plan");
    expect(within(shown).getByText(/make the new value current/)).toBeInTheDocument();
    expect(within(shown).getByText(/checked at https:\/\/api.stripe.com \(bearer\)/)).toBeInTheDocument();
    expect(within(shown).getByText("found by leak scan")).toBeInTheDocument();
    expect(within(shown).getByText(/STRIPE=<new value>/)).toBeInTheDocument();
    expect(within(shown).getByText(/168 hours/)).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "Rewrite /home/me/project/leaked.env" }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Rotate stripe" }));

    await waitFor(() => expect(backend.calls.some((call) => call.command === "rotate_credential")).toBe(true));
    const call = backend.calls.find((item) => item.command === "rotate_credential");
    expect(call?.args).toEqual({ name: "stripe", approval: { skip_files: ["/home/me/project/leaked.env"] } });
    const progress = await within(dialog).findByRole("list", { name: "Progress of stripe" });
    expect(within(dialog).getByRole("button", { name: "Rotating…" })).toBeDisabled();
    await step("stripe", "planned", "rotation planned");
    await step("stripe", "created", "new value created");
    await step("stripe", "stored", "new value (32 bytes) kept in the keychain as pending");
    expect(progress.querySelector("[data-state=created]")).toHaveAttribute("data-status", "done");
    expect(progress.querySelector("[data-state=verified]")).toHaveAttribute("data-status", "current");
    expect(progress.querySelector("[data-state=done]")).toHaveAttribute("data-status", "pending");
    for (const [state, message] of [
      ["verified", "the new value works"],
      ["committed", "new value is current"],
      ["propagated", "1 file(s) rewritten"],
      ["revoked", "old value retired"],
      ["done", "rotation finished"],
    ] as const) {
      await step("stripe", state, message);
    }
    expect(progress.querySelector("[data-state=done]")).toHaveAttribute("data-status", "done");

    await rotation.finish({
      credential: "stripe",
      rotation_id: 7,
      outcome: { rotation_id: 7, credential: "stripe", state: "done", files_updated: ["/srv/app/.env"], warnings: [], error: null },
      error: null,
      audit: [entry(40, "stripe", "planned"), entry(41, "stripe", "done", { message: "rotation finished" })],
    });
    const result = await within(dialog).findByTestId("rotation-result");
    expect(within(result).getByRole("status")).toHaveTextContent("stripe rotated (rotation #7)");
    expect(within(result).getByText("/srv/app/.env")).toBeInTheDocument();
    const audit = within(result).getByRole("table", { name: "Audit entries of stripe" });
    expect(within(audit).getAllByRole("row")).toHaveLength(3);
    expect(within(audit).getByText("rotation finished")).toBeInTheDocument();

    await userEvent.click(within(result).getByRole("button", { name: "Open in the audit log" }));
    expect(await screen.findByRole("heading", { name: "Audit log" })).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByRole("searchbox", { name: "Filter audit entries" })).toHaveValue("stripe");
    expect(screen.getByRole("combobox", { name: "Action" })).toHaveValue("credential.rotate");
  });

  it("says what failed and that the old value is still current when a rotation rolls back", async () => {
    const rotation = pendingRotation();
    installBackend({
      credentials: [credential("github-ci")],
      handlers: {
        plan_rotation: () => ({ ...plan("github-ci"), files: [], verify_endpoints: [] }),
        rotate_credential: () => rotation.promise,
        rotation_history: () => [
          {
            id: 3,
            credential: "github-ci",
            method: "http",
            state: "rolled-back",
            started_at: "2026-02-01T09:00:00Z",
            finished_at: "2026-02-01T09:00:02Z",
            error: "the provider answered 500",
            grace_until: null,
            previous_kept: false,
            steps: [{ state: "rolled-back", at: "2026-02-01T09:00:02Z", message: "rolled back; the old value is current" }],
          },
        ],
      },
    });
    render(<App />);
    await userEvent.keyboard("{Control>}k{/Control}");
    await userEvent.type(screen.getByRole("textbox", { name: "Search everything" }), "github-ci{Enter}");
    await screen.findByRole("heading", { name: "github-ci" });
    const history = await screen.findByRole("table", { name: "Rotation history" });
    expect(within(history).getByText("rolled back")).toBeInTheDocument();
    expect(within(history).getByText("the provider answered 500")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Rotate" }));
    const dialog = await screen.findByRole("dialog", { name: "Rotate github-ci" });
    await userEvent.click(await within(dialog).findByRole("button", { name: "Rotate github-ci" }));
    await within(dialog).findByRole("list", { name: "Progress of github-ci" });
    await step("github-ci", "planned", "rotation planned");
    await step("github-ci", "rolling-back", "GitHub create failed with HTTP 500: internal error");
    await step("github-ci", "rolled-back", "rolled back; the old value is current");
    expect(within(dialog).getByText(/Rolling back: GitHub create failed with HTTP 500/)).toBeInTheDocument();

    const message = "the rotation of `github-ci` failed at step `created` and was rolled back (the old value is still current): GitHub create failed with HTTP 500: internal error";
    await rotation.finish({
      credential: "github-ci",
      rotation_id: 7,
      outcome: null,
      error: message,
      audit: [entry(50, "github-ci", "planned"), entry(51, "github-ci", "rolling-back", { error: "GitHub create failed with HTTP 500" }), entry(52, "github-ci", "rolled-back", { message: "rolled back; the old value is current" })],
    });
    const result = await within(dialog).findByTestId("rotation-result");
    expect(within(result).getByRole("alert")).toHaveTextContent(message);
    expect(within(result).getByText(/Rolled back: the old value is still current/)).toBeInTheDocument();
    expect(within(result).queryByRole("status")).not.toBeInTheDocument();
    const audit = within(result).getByRole("table", { name: "Audit entries of github-ci" });
    expect(within(audit).getByText("GitHub create failed with HTTP 500")).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Close" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("plans every overdue credential at once, lists those that cannot rotate, and reports each", async () => {
    const backend = installBackend({
      dashboard: { credentials: 3, integrations: 0, overdue_rotations: 3, expiring_certificates: 0, leaks: null, failing_posture: null, warnings: [] },
      handlers: {
        plan_overdue_rotations: () => ({
          plans: [plan("stripe"), { ...plan("sendgrid"), files: [] }],
          not_rotatable: [{ credential: "db-login", reason: "`db-login` cannot be rotated with `none`: a basic credential has no rotation set up" }],
        }),
        rotate_overdue: (args) =>
          (args.names as string[]).map((name) => ({
            credential: name,
            rotation_id: name === "stripe" ? 1 : 2,
            outcome: { rotation_id: name === "stripe" ? 1 : 2, credential: name, state: "done", files_updated: [], warnings: [], error: null },
            error: null,
            audit: [entry(name === "stripe" ? 60 : 70, name, "done")],
          })),
      },
    });
    render(<App />);
    await userEvent.click(await screen.findByRole("button", { name: "Rotate all overdue" }));
    const dialog = await screen.findByRole("dialog", { name: "Rotate all overdue" });
    expect(await within(dialog).findByRole("region", { name: "Plan for stripe" })).toBeInTheDocument();
    expect(within(dialog).getByRole("region", { name: "Plan for sendgrid" })).toBeInTheDocument();
    expect(within(dialog).getByRole("list", { name: "Not rotatable" })).toHaveTextContent("db-login");
    await userEvent.click(within(dialog).getByRole("button", { name: "Rotate 2 credentials" }));
    const result = await within(dialog).findByTestId("rotation-result");
    expect(within(result).getAllByRole("status").map((item) => item.textContent)).toEqual([
      "stripe rotated (rotation #1). The new value is current.",
      "sendgrid rotated (rotation #2). The new value is current.",
    ]);
    expect(backend.calls.find((call) => call.command === "rotate_overdue")?.args).toEqual({ names: ["stripe", "sendgrid"], approval: { skip_files: [] } });
  });
});

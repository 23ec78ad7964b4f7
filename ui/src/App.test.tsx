import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { credential, installBackend } from "./test/backend";

describe("dashboard", () => {
  it("shows the counts, says honestly what has not been scanned, and lists warnings with their fix", async () => {
    installBackend({
      credentials: [credential("old-token")],
      dashboard: {
        credentials: 3,
        integrations: 1,
        overdue_rotations: 1,
        expiring_certificates: 0,
        leaks: null,
        failing_posture: null,
        warnings: [
          {
            id: "rotation-overdue:old-token",
            severity: "high",
            kind: "rotation-overdue",
            credential: "old-token",
            message: "rotation overdue by 40 days",
            due: "2026-01-01T00:00:00Z",
            action: { action: "rotate", credential: "old-token" },
            finding_id: null,
          },
          {
            id: "leaked:12",
            severity: "critical",
            kind: "unmanaged-secret",
            credential: null,
            message: "a GitHub token not in the vault was found in src/config.ts:3",
            due: null,
            action: { action: "import", finding_id: 12 },
            finding_id: 12,
          },
        ],
      },
    });
    render(<App />);
    expect(await screen.findByLabelText("Credentials: 3")).toBeInTheDocument();
    expect(screen.getByLabelText("Leaks: not scanned yet")).toBeInTheDocument();
    expect(screen.getByLabelText("Failing posture: not probed yet")).toBeInTheDocument();
    const warnings = screen.getByRole("list", { name: "Warnings" });
    expect(within(warnings).getByText(/rotation overdue by 40 days/)).toBeInTheDocument();
    expect(within(warnings).getByText(/not in the vault was found in src\/config.ts:3/)).toBeInTheDocument();
    expect(within(warnings).getByText("Import into the vault")).toBeInTheDocument();
    // The rotate fix opens the rotation dialog for that credential (RotateDialog.test.tsx
    // follows the flow).
    await userEvent.click(within(warnings).getByRole("button", { name: "Rotate old-token" }));
    expect(await screen.findByRole("dialog", { name: "Rotate old-token" })).toBeInTheDocument();
  });
});

describe("dashboard with many warnings", () => {
  it("lists the most severe fifty and the rest on request", async () => {
    const warnings = Array.from({ length: 60 }, (_, index) => ({
      id: `rotation-overdue:token-${index}`,
      severity: "high" as const,
      kind: "rotation-overdue" as const,
      credential: `token-${index}`,
      message: "rotation overdue",
      due: null,
      action: { action: "rotate" as const, credential: `token-${index}` },
      finding_id: null,
    }));
    installBackend({
      dashboard: { credentials: 60, integrations: 0, overdue_rotations: 60, expiring_certificates: 0, leaks: 0, failing_posture: 0, warnings },
    });
    render(<App />);
    const list = await screen.findByRole("list", { name: "Warnings" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(50);
    expect(within(list).queryByText("token-50:")).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Show all 60 warnings (10 more)" }));
    expect(within(list).getAllByRole("listitem")).toHaveLength(60);
    expect(within(list).getByText("token-59:")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Show all/ })).not.toBeInTheDocument();
  });
});

describe("first show", () => {
  it("asks for the hidden window to be shown only once the dashboard has its data", async () => {
    let answer: (value: unknown) => void = () => {};
    const pending = new Promise((resolve) => (answer = resolve));
    const backend = installBackend({ handlers: { dashboard: () => pending } });
    render(<App />);
    await waitFor(() => expect(backend.calls.some((call) => call.command === "dashboard")).toBe(true));
    expect(backend.calls.some((call) => call.command === "window_ready")).toBe(false);
    answer(backend.dashboard);
    expect(await screen.findByLabelText("Credentials: 0")).toBeInTheDocument();
    await waitFor(() => expect(backend.calls.filter((call) => call.command === "window_ready")).toHaveLength(1));
  });

  it("shows the window with the reason when the dashboard cannot load", async () => {
    const backend = installBackend({ failures: { dashboard: { code: "environment", message: "keyward.db is not a Keyward database" } } });
    render(<App />);
    expect(await screen.findByText(/is not a Keyward database/)).toBeInTheDocument();
    await waitFor(() => expect(backend.calls.filter((call) => call.command === "window_ready")).toHaveLength(1));
  });
});

describe("new credential", () => {
  it("refuses an incomplete form without calling the backend, then saves a valid one", async () => {
    const backend = installBackend();
    render(<App />);
    await userEvent.keyboard("{Control>}n{/Control}");
    await screen.findByRole("heading", { name: "New credential" });
    await userEvent.click(screen.getByRole("button", { name: "Save credential" }));
    expect(screen.getAllByText("required")).toHaveLength(2);
    expect(backend.calls.some((call) => call.command === "add_credential")).toBe(false);

    await userEvent.type(screen.getByLabelText("Name"), "github-ci");
    await userEvent.selectOptions(screen.getByLabelText("Kind"), "basic");
    await userEvent.type(screen.getByLabelText("Value"), "no-colon");
    await userEvent.click(screen.getByRole("button", { name: "Save credential" }));
    expect(screen.getByText("must be user:password")).toBeInTheDocument();

    await userEvent.selectOptions(screen.getByLabelText("Kind"), "token");
    await userEvent.type(screen.getByLabelText("Allowed hosts"), "api.github.com, uploads.github.com");
    await userEvent.click(screen.getByRole("button", { name: "Save credential" }));
    expect(await screen.findByRole("heading", { name: "github-ci" })).toBeInTheDocument();
    const call = backend.calls.find((entry) => entry.command === "add_credential");
    expect(call?.args).toMatchObject({
      credential: { name: "github-ci", kind: "token", allowed_hosts: ["api.github.com", "uploads.github.com"], rotate_every_days: 90 },
      value: "no-colon",
    });
  });

  it("shows the library's error when the name is taken", async () => {
    installBackend({ credentials: [credential("taken")] });
    render(<App />);
    await userEvent.keyboard("{Control>}n{/Control}");
    await userEvent.type(await screen.findByLabelText("Name"), "taken");
    await userEvent.type(screen.getByLabelText("Value"), "secret-value");
    await userEvent.click(screen.getByRole("button", { name: "Save credential" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("credential `taken` already exists");
  });
});

describe("inventory", () => {
  it("filters the credentials table as the user types", async () => {
    installBackend({ credentials: [credential("github-ci"), credential("stripe-live", { provider: "stripe", kind: "api-key" })] });
    render(<App />);
    await userEvent.click(screen.getByRole("button", { name: "Inventory" }));
    const table = await screen.findByRole("table", { name: "Credentials" });
    await waitFor(() => expect(within(table).getByText("stripe-live")).toBeInTheDocument());
    await userEvent.type(screen.getByLabelText("Filter credentials"), "github");
    await waitFor(() => expect(within(table).queryByText("stripe-live")).not.toBeInTheDocument());
    expect(within(table).getByText("github-ci")).toBeInTheDocument();
  });
});

describe("credential detail", () => {
  it("reveals the value, hides it when the window loses focus, and copies through the backend", async () => {
    const backend = installBackend({ credentials: [credential("github-ci")] });
    backend.values.set("github-ci", "ghp_value");
    render(<App />);
    await userEvent.keyboard("{Control>}k{/Control}");
    await userEvent.type(screen.getByRole("textbox", { name: "Search everything" }), "github-ci{Enter}");
    await screen.findByRole("heading", { name: "github-ci" });
    await userEvent.click(screen.getByRole("button", { name: "Reveal" }));
    expect(await screen.findByTestId("revealed-value")).toHaveTextContent("ghp_value");
    act(() => {
      window.dispatchEvent(new Event("blur"));
    });
    await waitFor(() => expect(screen.queryByTestId("revealed-value")).not.toBeInTheDocument());
    await userEvent.click(screen.getByRole("button", { name: "Copy" }));
    expect(await screen.findByText(/cleared in 30 s/)).toBeInTheDocument();
    expect(backend.calls.filter((call) => call.command === "copy_credential")).toHaveLength(1);
  });
});

describe("import", () => {
  it("previews what a .env file would create before importing it", async () => {
    const backend = installBackend();
    render(<App />);
    await userEvent.click(screen.getByRole("button", { name: "Import" }));
    await userEvent.type(await screen.findByLabelText("File path"), "/tmp/project/.env");
    await userEvent.click(screen.getByRole("button", { name: "Preview" }));
    const preview = await screen.findByRole("table", { name: "Import preview" });
    expect(within(preview).getByText("skip: does not look like a secret")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Import 1 credential" }));
    expect(await screen.findByTestId("import-outcome")).toHaveTextContent("Imported 1 credential, skipped 1");
    expect(backend.calls.find((call) => call.command === "import_file")?.args).toMatchObject({ format: "dotenv", path: "/tmp/project/.env" });
  });
});

describe("audit log", () => {
  it("verifies the chain on request", async () => {
    installBackend({
      audit: [{ seq: 1, at: "2026-01-01T00:00:00Z", actor: "me (app)", action: "home.init", subject: "home", detail: "{}", hash: "00" }],
    });
    render(<App />);
    await userEvent.click(screen.getByRole("button", { name: "Audit log" }));
    await screen.findByText("home.init", { selector: "td" });
    await userEvent.click(screen.getByRole("button", { name: "Verify chain" }));
    expect(await screen.findByTestId("audit-verification")).toHaveTextContent("Chain intact: 1 entries");
  });
});

describe("settings", () => {
  it("saves preferences and refuses text where a number belongs", async () => {
    const backend = installBackend();
    render(<App />);
    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    const clipboard = await screen.findByLabelText("Clear the clipboard after (seconds)");
    await userEvent.clear(clipboard);
    await userEvent.type(clipboard, "soon");
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(screen.getByRole("alert")).toHaveTextContent("whole number");
    await userEvent.clear(clipboard);
    await userEvent.type(clipboard, "12");
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(await screen.findByText("Settings saved.")).toBeInTheDocument();
    expect(backend.preferences.clipboard_clear_seconds).toBe(12);
  });
});

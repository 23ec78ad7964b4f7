import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { Integration, IntegrationPosture, ProbeReport } from "../bindings";
import { installBackend } from "../test/backend";

const TARGET = "https://localhost:8443/api";

const payments: Integration = {
  id: 1,
  name: "payments",
  provider: "acme",
  owner: "platform",
  environment: "prod",
  tags: [],
  notes: null,
  issuer: null,
  created_at: "2026-01-01T00:00:00Z",
  endpoints: [{ id: 1, url: TARGET, auth: { method: "none" }, credential: null }],
};

const report: ProbeReport = {
  target: TARGET,
  probed_at: "2026-03-01T10:00:00Z",
  grade: "F",
  deductions: [{ finding: "tls.cert.self_signed", caps: "F" }],
  tls: {
    protocols: [
      { protocol: "TLSv1.2", accepted: true, cipher_suites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"] },
      { protocol: "TLSv1.3", accepted: true, cipher_suites: ["TLS13_AES_128_GCM_SHA256"] },
    ],
    negotiated_protocol: "TLSv1.3",
    negotiated_cipher_suite: "TLS13_AES_128_GCM_SHA256",
    alpn: "http/1.1",
    certificate: {
      subject: "CN=localhost",
      issuer: "CN=localhost",
      subject_alt_names: ["localhost"],
      not_before: "2026-01-01T00:00:00Z",
      not_after: "2027-01-01T00:00:00Z",
      key: "EC P-256",
      signature_algorithm: "ecdsa-with-SHA256",
      chain_length: 1,
      trusted: false,
      sha256_fingerprint: "ab".repeat(32),
    },
    ocsp_stapled: false,
    client_certificate: "not-requested",
    dh_prime_bits: null,
    errors: [],
  },
  http: null,
  findings: [
    { id: "tls.cert.self_signed", severity: "critical", message: "the certificate is self-signed", evidence: "CN=localhost" },
    { id: "http.hsts.missing", severity: "medium", message: "no Strict-Transport-Security header", evidence: "" },
  ],
  error: null,
  notes: [],
  duration_ms: 120,
};

const probedPosture: IntegrationPosture = {
  integration: "payments",
  grade: "F",
  probed_at: report.probed_at,
  endpoints: [
    {
      target: TARGET,
      report,
      findings: [
        { id: "tls.cert.self_signed", severity: "critical", message: "the certificate is self-signed", evidence: "CN=localhost", caps: "F", fix: "Use a certificate issued by a trusted CA." },
        { id: "http.hsts.missing", severity: "medium", message: "no Strict-Transport-Security header", evidence: "", caps: "A", fix: "Send Strict-Transport-Security: max-age=31536000." },
      ],
    },
  ],
};

/** A promise the test resolves when it has looked at a probe mid-run. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

async function openIntegration(name: string) {
  await userEvent.click(screen.getByRole("button", { name: "Inventory" }));
  await userEvent.click(await screen.findByRole("tab", { name: /Integrations/ }));
  const table = await screen.findByRole("table", { name: "Integrations" });
  await userEvent.click(await within(table).findByText(name));
  await screen.findByRole("heading", { name });
}

describe("posture panel", () => {
  it("probes now with progress, then shows the grade, findings by severity with their fix, the certificate and the history", async () => {
    const running = gate();
    const backend = installBackend({ integrations: [payments], probed: { payments: probedPosture } });
    backend.hold = running.promise;
    render(<App />);
    await openIntegration("payments");

    const panel = await screen.findByRole("region", { name: "Posture" });
    expect(await within(panel).findByLabelText("Overall grade: none")).toBeInTheDocument();
    expect(within(panel).getByText(/Not probed yet: “Probe now”/)).toBeInTheDocument();

    await userEvent.click(within(panel).getByRole("button", { name: "Probe now" }));
    const progress = await within(panel).findByTestId("probe-progress");
    await waitFor(() => expect(progress).toHaveTextContent(`1 of 1 endpoints probed; ${TARGET}: F`));
    expect(within(panel).getByRole("button", { name: "Probing…" })).toBeDisabled();
    running.open();

    expect(await within(panel).findByLabelText("Overall grade: F")).toBeInTheDocument();
    expect(within(panel).queryByTestId("probe-progress")).not.toBeInTheDocument();
    const critical = within(panel).getByRole("list", { name: `Critical findings for ${TARGET}` });
    expect(within(critical).getByText("tls.cert.self_signed")).toBeInTheDocument();
    expect(within(critical).getByText("the certificate is self-signed")).toBeInTheDocument();
    expect(within(critical).getByText(/Use a certificate issued by a trusted CA/)).toBeInTheDocument();
    expect(within(critical).getByText(/caps the grade at F/)).toBeInTheDocument();
    const medium = within(panel).getByRole("list", { name: `Medium findings for ${TARGET}` });
    expect(within(medium).getByText("http.hsts.missing")).toBeInTheDocument();
    expect(within(panel).queryByRole("list", { name: `High findings for ${TARGET}` })).not.toBeInTheDocument();
    expect(within(panel).getByText("1 certificate, not trusted")).toBeInTheDocument();
    expect(within(panel).getByText("TLSv1.2, TLSv1.3")).toBeInTheDocument();

    const history = await within(panel).findByRole("table", { name: "Probe history" });
    expect(within(history).getByText(TARGET)).toBeInTheDocument();
    expect(within(within(panel).getByRole("list", { name: "Grade over time" })).getAllByText("F")).toHaveLength(1);
    expect(backend.calls.filter((call) => call.command === "probe_integration")).toHaveLength(1);
  });

  it("shows the library's error when there is nothing to probe, and lets the user try again", async () => {
    installBackend({ integrations: [{ ...payments, endpoints: [] }] });
    render(<App />);
    await openIntegration("payments");
    const panel = await screen.findByRole("region", { name: "Posture" });
    await userEvent.click(within(panel).getByRole("button", { name: "Probe now" }));
    expect(await within(panel).findByRole("alert")).toHaveTextContent("has no endpoints to probe");
    expect(within(panel).getByRole("button", { name: "Probe now" })).toBeEnabled();
  });

  it("lists a regression in the history", async () => {
    installBackend({
      integrations: [payments],
      postures: { payments: probedPosture },
      history: {
        payments: [
          {
            integration: "payments",
            report,
            regression: { target: TARGET, integration: "payments", previous_probed_at: "2026-02-28T10:00:00Z", previous_grade: "A", grade: "F", new_findings: report.findings },
          },
          { integration: "payments", report: { ...report, probed_at: "2026-02-28T10:00:00Z", grade: "A", findings: [] }, regression: null },
        ],
      },
    });
    render(<App />);
    await openIntegration("payments");
    const history = await screen.findByRole("table", { name: "Probe history" });
    expect(within(history).getByText("Worse: grade A → F; new: tls.cert.self_signed, http.hsts.missing")).toBeInTheDocument();
    const trail = screen.getByRole("list", { name: "Grade over time" });
    expect(within(trail).getAllByRole("listitem").map((item) => item.textContent)).toEqual(["A", "F"]);
  });
});

describe("probe all", () => {
  it("shows each finished endpoint with its grade, then the outcome, and the dashboard reloads", async () => {
    const running = gate();
    const backend = installBackend({
      probeAllProgress: [
        { scope: "all", integration: "billing", target: "https://billing.example/api", done: 1, total: 2, grade: "B" },
        { scope: "all", integration: "payments", target: TARGET, done: 2, total: 2, grade: null },
      ],
      probeAllRun: { probed: 2, failed: 1, regressions: 1 },
    });
    backend.hold = running.promise;
    render(<App />);
    expect(await screen.findByLabelText("Failing posture: not probed yet")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Probe all" }));
    const progress = await screen.findByTestId("probe-all-progress");
    await waitFor(() => expect(progress).toHaveTextContent("2 of 2 endpoints; payments: could not be probed"));
    expect(screen.getByRole("button", { name: "Probing all…" })).toBeDisabled();

    backend.dashboard = { ...backend.dashboard, failing_posture: 1 };
    running.open();
    expect(await screen.findByTestId("probe-all-outcome")).toHaveTextContent("Probed 2 endpoints; 1 could not be probed; 1 got worse.");
    expect(await screen.findByLabelText("Failing posture: 1")).toBeInTheDocument();
  });

  it("reports the command's error", async () => {
    installBackend({ failures: { probe_all: { code: "environment", message: "the Secret Service is locked; unlock the login keyring" } } });
    render(<App />);
    await userEvent.click(await screen.findByRole("button", { name: "Probe all" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("the Secret Service is locked");
    expect(screen.getByRole("button", { name: "Probe all" })).toBeEnabled();
  });
});

describe("grades and schedule", () => {
  it("fills the inventory's grade column from the probes and saves the re-probe interval", async () => {
    const backend = installBackend({ integrations: [payments], grades: { payments: "C" } });
    render(<App />);
    await userEvent.click(screen.getByRole("button", { name: "Inventory" }));
    await userEvent.click(await screen.findByRole("tab", { name: /Integrations/ }));
    const table = await screen.findByRole("table", { name: "Integrations" });
    const row = (await within(table).findByText("payments")).closest("[role=row]") as HTMLElement;
    expect(within(row).getByText("C")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Settings" }));
    const every = await screen.findByLabelText("Re-probe endpoints every (hours)");
    expect(every).toHaveValue("24");
    await userEvent.clear(every);
    await userEvent.type(every, "6");
    await userEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(await screen.findByText("Settings saved.")).toBeInTheDocument();
    expect(backend.preferences.probe_every_hours).toBe(6);
  });
});

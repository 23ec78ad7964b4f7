import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { credential, installBackend, integration } from "../test/backend";

async function openIntegration(name: string) {
  await userEvent.click(await screen.findByRole("button", { name: "Inventory" }));
  await userEvent.click(await screen.findByRole("tab", { name: /Integrations/ }));
  const table = await screen.findByRole("table", { name: "Integrations" });
  await userEvent.click(await within(table).findByText(name));
  await screen.findByRole("heading", { name });
}

describe("inventory rows", () => {
  it("show what the library joined: owner, environment and auth method from the integration", async () => {
    installBackend({
      credentials: [credential("deploy", { integration: "billing", rotate_every_days: 30, rotated_at: "2026-03-01T00:00:00Z" })],
      integrations: [integration("billing", { endpoints: [{ id: 1, url: "https://api.stripe.com/v1", auth: { method: "header", name: "X-Api-Key" }, credential: "deploy" }] })],
    });
    render(<App />);
    await userEvent.click(await screen.findByRole("button", { name: "Inventory" }));
    const table = await screen.findByRole("table", { name: "Credentials" });
    const row = (await within(table).findByText("deploy")).closest("[role=row]") as HTMLElement;
    expect(within(row).getByText("payments")).toBeInTheDocument();
    expect(within(row).getByText("staging")).toBeInTheDocument();
    expect(within(row).getByText("header:X-Api-Key")).toBeInTheDocument();
    expect(within(row).getByText("2026-03-31")).toBeInTheDocument();
  });
});

describe("editing an integration", () => {
  it("starts from the current details, keeps the name, and saves the changed endpoints", async () => {
    const backend = installBackend({ integrations: [integration("billing")], credentials: [credential("deploy")] });
    render(<App />);
    await openIntegration("billing");
    await userEvent.click(screen.getByRole("button", { name: "Edit" }));
    await screen.findByRole("heading", { name: "Edit billing" });
    expect(screen.getByLabelText("Name")).toHaveAttribute("readonly");
    expect(screen.getByLabelText(/^Owner/)).toHaveValue("payments");

    // A bad URL is refused before anything is sent.
    const url = screen.getByLabelText("URL 1");
    await userEvent.clear(url);
    await userEvent.type(url, "api.example.com");
    await userEvent.click(screen.getByRole("button", { name: "Save integration" }));
    expect(await screen.findByText("an http(s) URL")).toBeInTheDocument();
    expect(backend.calls.some((call) => call.command === "edit_integration")).toBe(false);

    await userEvent.clear(url);
    await userEvent.type(url, "https://hooks.example.com/in");
    await userEvent.clear(screen.getByLabelText(/^Owner/));
    await userEvent.type(screen.getByLabelText(/^Owner/), "finance");
    await userEvent.selectOptions(screen.getByLabelText("Credential"), "deploy");
    await userEvent.click(screen.getByRole("button", { name: "Save integration" }));

    await screen.findByRole("heading", { name: "billing" });
    const saved = backend.calls.find((call) => call.command === "edit_integration");
    expect(saved?.args).toMatchObject({
      name: "billing",
      edit: { owner: "finance", provider: "stripe", tags: ["pci"], endpoints: [{ url: "https://hooks.example.com/in", auth: { method: "bearer" }, credential: "deploy" }] },
    });
    expect(await screen.findByText("https://hooks.example.com/in")).toBeInTheDocument();
  });
});

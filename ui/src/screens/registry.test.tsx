import { describe, expect, it } from "vitest";
import { PALETTE_SCREENS, SECTIONS, SHORTCUTS, sectionOf, trayRoute } from "./registry";

describe("screen registry", () => {
  it("gives the sidebar its sections in order, each opening its screen", () => {
    expect(SECTIONS).toEqual([
      { label: "Dashboard", route: { screen: "dashboard" } },
      { label: "Inventory", route: { screen: "inventory", tab: "credentials" } },
      { label: "Import", route: { screen: "import" } },
      { label: "Leaks", route: { screen: "leaks" } },
      { label: "Review", route: { screen: "review" } },
      { label: "Audit log", route: { screen: "audit" } },
      { label: "Settings", route: { screen: "settings" } },
    ]);
  });

  it("keeps the inventory's section current on its detail and form screens", () => {
    for (const route of [
      { screen: "credential", name: "x" },
      { screen: "integration", name: "x" },
      { screen: "new-credential" },
      { screen: "new-integration" },
      { screen: "edit-integration", name: "x" },
    ] as const) {
      expect(sectionOf(route)).toBe("Inventory");
    }
  });

  it("lists the palette's screens and actions in the order users learned", () => {
    expect(PALETTE_SCREENS.map(({ label, detail }) => `${label} (${detail})`)).toEqual([
      "Dashboard (screen)",
      "Credentials (screen)",
      "Integrations (screen)",
      "New credential (action)",
      "New integration (action)",
      "Import (screen)",
      "Leaks (screen)",
      "Review (screen)",
      "Audit log (screen)",
      "Settings (screen)",
    ]);
    expect(PALETTE_SCREENS.find((entry) => entry.label === "Integrations")?.route).toEqual({ screen: "inventory", tab: "integrations" });
  });

  it("opens only the tray menu's screens on its request, and Ctrl N the new-credential form", () => {
    expect(["dashboard", "new-credential", "import", "settings", "credential", "nowhere"].map(trayRoute)).toEqual([
      { screen: "dashboard" },
      { screen: "new-credential" },
      { screen: "import" },
      undefined,
      undefined,
      undefined,
    ]);
    expect(SHORTCUTS).toEqual([{ key: "n", title: "New credential", route: { screen: "new-credential" } }]);
  });
});

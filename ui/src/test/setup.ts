import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach } from "vitest";

afterEach(async () => {
  cleanup();
  // Unmounting unlistens asynchronously; let that finish while the IPC mock still exists.
  await new Promise((resolve) => setTimeout(resolve, 0));
  clearMocks();
});

// jsdom lays nothing out, so every box is 0×0 and the virtualized tables would render
// no rows. Give elements a window-sized box, as in the real app.
Object.defineProperty(HTMLElement.prototype, "clientHeight", { configurable: true, get: () => 600 });
Object.defineProperty(HTMLElement.prototype, "clientWidth", { configurable: true, get: () => 1000 });

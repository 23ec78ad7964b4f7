// The UI's one door to the backend: the generated bindings, with `{status, error}`
// results turned into values or thrown `AppError`s. Components import from here and
// never call `invoke` themselves.
import { commands, events } from "./bindings";
import type { CommandError, ErrorCode } from "./bindings";

export type * from "./bindings";
export { events };

/** An error returned by a command: the library's stable class plus its message. */
export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(error: CommandError) {
    super(error.message);
    this.name = "AppError";
    this.code = error.code;
  }
}

type CommandResult<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };

async function unwrap<T>(pending: Promise<CommandResult<T>>): Promise<T> {
  const result = await pending;
  if (result.status === "ok") return result.data;
  // Tauri itself (an ACL denial, a malformed argument) rejects with a bare string.
  const error: unknown = result.error;
  if (typeof error === "string") throw new AppError({ code: "internal", message: error });
  throw new AppError(result.error);
}

/** A message fit for the user from anything a command may throw. */
export function describeError(error: unknown): string {
  if (error instanceof AppError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export const api = {
  // Nothing to tell the user if this fails: the shell shows the window on its own soon after.
  windowReady: () => commands.windowReady().catch(() => undefined),
  dashboard: () => unwrap(commands.dashboard()),
  preferences: () => unwrap(commands.getPreferences()),
  setPreferences: (...args: Parameters<typeof commands.setPreferences>) => unwrap(commands.setPreferences(...args)),
  credentials: () => unwrap(commands.listCredentials()),
  credential: (name: string) => unwrap(commands.getCredential(name)),
  addCredential: (...args: Parameters<typeof commands.addCredential>) => unwrap(commands.addCredential(...args)),
  editCredential: (...args: Parameters<typeof commands.editCredential>) => unwrap(commands.editCredential(...args)),
  removeCredential: (name: string) => unwrap(commands.removeCredential(name)),
  revealCredential: (name: string) => unwrap(commands.revealCredential(name)),
  copyCredential: (name: string) => unwrap(commands.copyCredential(name)),
  clearCopiedSecret: () => commands.clearCopiedSecret(),
  inventory: () => unwrap(commands.inventory()),
  integrations: () => unwrap(commands.listIntegrations()),
  integration: (name: string) => unwrap(commands.getIntegration(name)),
  addIntegration: (...args: Parameters<typeof commands.addIntegration>) => unwrap(commands.addIntegration(...args)),
  editIntegration: (...args: Parameters<typeof commands.editIntegration>) => unwrap(commands.editIntegration(...args)),
  removeIntegration: (name: string) => unwrap(commands.removeIntegration(name)),
  previewImport: (...args: Parameters<typeof commands.previewImport>) => unwrap(commands.previewImport(...args)),
  importFile: (...args: Parameters<typeof commands.importFile>) => unwrap(commands.importFile(...args)),
  importCertificate: (...args: Parameters<typeof commands.importCertificate>) => unwrap(commands.importCertificate(...args)),
  auditEntries: () => unwrap(commands.auditEntries()),
  verifyAudit: () => unwrap(commands.verifyAudit()),
  planRotation: (name: string) => unwrap(commands.planRotation(name)),
  planOverdueRotations: () => unwrap(commands.planOverdueRotations()),
  rotateCredential: (...args: Parameters<typeof commands.rotateCredential>) => unwrap(commands.rotateCredential(...args)),
  rotateOverdue: (...args: Parameters<typeof commands.rotateOverdue>) => unwrap(commands.rotateOverdue(...args)),
  rotationHistory: (name: string) => unwrap(commands.rotationHistory(name)),
  probeIntegration: (name: string) => unwrap(commands.probeIntegration(name)),
  probeAll: () => unwrap(commands.probeAll()),
  posture: (name: string) => unwrap(commands.posture(name)),
  probeHistory: (name: string) => unwrap(commands.probeHistory(name)),
  scanSettings: () => unwrap(commands.getScanSettings()),
  setScanSettings: (...args: Parameters<typeof commands.setScanSettings>) => unwrap(commands.setScanSettings(...args)),
  scanNow: () => unwrap(commands.scanNow()),
  foundSecrets: () => unwrap(commands.listFoundSecrets()),
  importFoundSecret: (...args: Parameters<typeof commands.importFoundSecret>) => unwrap(commands.importFoundSecret(...args)),
  acceptFinding: (findingId: number) => unwrap(commands.acceptFinding(findingId)),
  openFindingFile: (findingId: number) => unwrap(commands.openFindingFile(findingId)),
  teamBoard: () => unwrap(commands.teamBoard()),
  exportReport: (...args: Parameters<typeof commands.exportReport>) => unwrap(commands.exportReport(...args)),
  openHtmlReport: (...args: Parameters<typeof commands.openHtmlReport>) => unwrap(commands.openHtmlReport(...args)),
  exportBundle: () => unwrap(commands.exportBundle()),
  importBundles: (...args: Parameters<typeof commands.importBundles>) => unwrap(commands.importBundles(...args)),
  teamDatabase: () => unwrap(commands.teamDatabase()),
  connectTeamDatabase: (...args: Parameters<typeof commands.connectTeamDatabase>) => unwrap(commands.connectTeamDatabase(...args)),
  disconnectTeamDatabase: () => unwrap(commands.disconnectTeamDatabase()),
  syncTeamDatabase: () => unwrap(commands.syncTeamDatabase()),
  reviewDecisions: () => unwrap(commands.reviewDecisions()),
  recordReview: (...args: Parameters<typeof commands.recordReview>) => unwrap(commands.recordReview(...args)),
};

/**
 * The one interface the agent loop knows tools by. A built-in tool (src/core/tools/*.ts), and later an MCP
 * server's tool, is a `ToolDefinition`: a name, a one-line description and a JSON schema the model sees, a
 * category the policy judges it by, a side-effect-free `plan` of what the call would do (what the policy and the
 * approval card look at), and `run`, called only once that exact plan was allowed. Everything outside the pure
 * layers (files, the editor, terminals, the network) is reached through the ports below, implemented for real in
 * src/node (plain Node) and src/vscode/tools (the editor), and in memory by tests.
 */

/** A JSON Schema object schema, as the model is shown it and as arguments are validated against it. */
export type JsonSchema = Record<string, unknown>;

/** What the policy judges a tool by; its default mode comes from here (reads auto, the rest ask). */
export type ToolCategory = 'read' | 'edit' | 'command' | 'fetch';

export interface ToolDefinition<Args = Record<string, unknown>> {
  /** What the model calls it: ^[a-zA-Z][a-zA-Z0-9_-]{0,63}$ (MCP tools are `server__tool`). */
  readonly name: string;
  /** One line the model sees. */
  readonly description: string;
  /** An object schema; arguments are validated against it before `plan` is called. */
  readonly parameters: JsonSchema;
  readonly category: ToolCategory;
  /**
   * What the call would do, without doing any of it: the paths it reads or writes, the command line, the URL,
   * and for an edit the exact new text and its diff. Throws `ToolError` for a call that cannot work (a missing
   * file, text that is not found): that goes back to the model and nothing runs.
   */
  plan(args: Args, context: ToolContext): Promise<ToolPlan>;
  /**
   * Carries out exactly the plan that was allowed (an edit writes `plan.edit.after`, never something recomputed).
   * Throws `ToolError` for a failure the model should hear about; anything else is reported as an internal error.
   */
  run(args: Args, plan: ToolPlan, context: ToolRunContext): Promise<ToolResult>;
}

export interface ToolPlan {
  /** One line for the transcript and the approval card, e.g. "Read src/app.ts, lines 1-200". */
  summary: string;
  /** Absolute paths the call reads. */
  reads?: string[];
  /** Absolute paths the call creates, changes or deletes. */
  writes?: string[];
  /** A shell command line and the absolute folder it runs in. */
  command?: { line: string; cwd: string; timeoutMs: number };
  /** The URL a fetch starts at. */
  url?: string;
  /**
   * An edit, as approved: the file's text when planned (null: the file does not exist yet), the text it gets, and
   * a unified diff. `run` refuses if the file no longer has `before` (the person or a tool changed it since).
   */
  edit?: { path: string; before: string | null; after: string; diff: string };
}

export interface ToolResult {
  /** What the model is sent back, already within the caps (a tool never returns 5 MB into the prompt). */
  content: string;
  isError?: boolean;
  /** What the transcript shows beyond the content. JSON-safe. */
  details?: ToolResultDetails;
}

export interface ToolResultDetails {
  exitCode?: number | null;
  timedOut?: boolean;
  /** Files the call created, changed or deleted: the absolute path, and `shown` as the person reads it. */
  files?: { path: string; shown?: string; change: 'created' | 'modified' | 'deleted' }[];
  /** The whole output, when what the model got was cut: `read_output` pages through it. */
  output?: OutputRef;
  /** The model got only part of what there was. */
  truncated?: boolean;
}

/** A tool's whole output, kept as a blob beside the store. */
export interface OutputRef {
  /** SHA-256 of the content: the blob's name. */
  hash: string;
  /** Bytes (UTF-8). */
  size: number;
  /** Lines, so `read_output` can say how far there is to read. */
  lines: number;
}

/** Thrown by a tool for a failure the model should read and can act on ("no such file: src/ap.ts"). */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface ToolContext {
  workspace: WorkspacePort;
  signal: AbortSignal;
}

export interface ToolRunContext extends ToolContext {
  /** This call's id (the model's tool call id), for progress and output. */
  callId: string;
  commands: CommandPort;
  fetcher: FetchPort;
  outputs: OutputStore;
  /** Live progress for the transcript: a running command's output as it comes. */
  progress(update: ToolProgress): void;
  /**
   * Must be awaited before a file is first created, changed or deleted by this turn: it keeps the file's original
   * content (durably) so the turn can be undone. Idempotent per path and turn.
   */
  beforeChange(path: string): Promise<void>;
}

export type ToolProgress = { kind: 'output'; text: string };

export interface FileStat {
  type: 'file' | 'directory' | 'other';
  size: number;
  mtimeMs: number;
}

export interface Diagnostic {
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  source?: string;
  code?: string;
}

export interface TextMatch {
  path: string;
  /** 1-based. */
  line: number;
  text: string;
}

/** The workspace as the editor sees it. Paths are absolute, in the platform's form. */
export interface WorkspacePort {
  /** The workspace folders, realpath'd; empty when no folder is open. */
  folders(): readonly string[];
  /** Workspace Trust: false in Restricted Mode. */
  isTrusted(): boolean;
  /**
   * The real path: symlinks resolved. For a path that does not exist yet (a file to create), the real path of its
   * nearest existing ancestor joined with the rest.
   */
  realpath(absolute: string): Promise<string>;
  stat(absolute: string): Promise<FileStat | undefined>;
  /** The text as the editor has it: an open document's unsaved text, else the file's. Throws when missing. */
  readText(absolute: string): Promise<string>;
  /** Files matching a glob under `cwd`, honouring .gitignore and `files.exclude`; at most `limit`. */
  listFiles(query: { glob: string; cwd: string; limit: number }, signal: AbortSignal): Promise<{ files: string[]; truncated: boolean }>;
  searchText(
    query: { pattern: string; isRegex: boolean; caseSensitive: boolean; glob?: string; cwd: string; maxResults: number },
    signal: AbortSignal,
  ): Promise<{ matches: TextMatch[]; truncated: boolean }>;
  /** Diagnostics (the Problems panel), of one file or of all. */
  problems(absolute?: string): Promise<Diagnostic[]>;
  /** Gives a file this whole text, creating it (and its folders) if needed, through the editor so Undo works. */
  writeText(absolute: string, text: string): Promise<void>;
  deleteFile(absolute: string): Promise<void>;
}

export interface CommandRequest {
  line: string;
  cwd: string;
  timeoutMs: number;
}

export interface CommandOutcome {
  /** null when it was killed (timeout, Stop) or the exit code is unknown. */
  exitCode: number | null;
  timedOut: boolean;
  /** How it ran: in a terminal through shell integration, or as a child process. */
  via: 'terminal' | 'process';
}

/** Runs a command line; output is streamed to `onOutput` as it comes. Aborting `signal` kills the process tree. */
export interface CommandPort {
  run(request: CommandRequest, signal: AbortSignal, onOutput: (text: string) => void): Promise<CommandOutcome>;
}

export interface FetchRequest {
  url: string;
  /** Hosts the person allowed although they resolve to private or local addresses. */
  allowedHosts: readonly string[];
  maxBytes: number;
  maxRedirects: number;
}

export interface FetchResponse {
  finalUrl: string;
  status: number;
  contentType: string;
  /** Decoded text, at most maxBytes of the body. */
  body: string;
  truncated: boolean;
  /** Every hop followed, in order. */
  redirects: string[];
}

/** GET with the SSRF guard on the resolved address of every hop. Throws `ToolError` when a hop is refused. */
export interface FetchPort {
  fetch(request: FetchRequest, signal: AbortSignal): Promise<FetchResponse>;
}

/** Where whole tool outputs are kept (blobs), written as they stream. */
export interface OutputStore {
  create(): OutputWriter;
  /** Lines [fromLine, fromLine + lineCount) of a kept output (1-based), and how many lines it has. */
  readLines(ref: Pick<OutputRef, 'hash'>, fromLine: number, lineCount: number): Promise<{ text: string; totalLines: number }>;
}

export interface OutputWriter {
  write(text: string): void;
  /** Durable once this resolves. */
  close(): Promise<OutputRef>;
  /** Throws the output away (nothing refers to it). */
  discard(): Promise<void>;
}

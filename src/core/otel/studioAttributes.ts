/**
 * The `ai_studio.*` attributes: our own facts, those the OpenTelemetry GenAI conventions have no attribute for.
 * With them an exported trace carries every field of every event, so AI Studio re-imports its own files exactly.
 * GenAI attribute names are imported from `@opentelemetry/semantic-conventions/incubating` where they are used,
 * so a renamed convention shows up as a compile error when that package is updated.
 */

/** The instrumentation scope of every span AI Studio writes: how the importer knows a span is ours. */
export const STUDIO_SCOPE = 'ai-studio';
/** Version of the attribute layout below, as the scope's version; bump it when the layout changes. */
export const STUDIO_TRACE_FORMAT = '1';

/** One event of the log, field by field (see eventRecord.ts). */
export const STUDIO_EVENT_ID = 'ai_studio.event.id';
export const STUDIO_EVENT_TYPE = 'ai_studio.event.type';
export const STUDIO_PARENT_EVENT_ID = 'ai_studio.event.parent_id';
export const STUDIO_MESSAGE_ID = 'ai_studio.message.id';
export const STUDIO_RUN_ID = 'ai_studio.run.id';
/** Whole epoch milliseconds: exact, whatever a span's own times went through (nanoseconds, a viewer's skew fix). */
export const STUDIO_STARTED_AT = 'ai_studio.event.started_at_ms';
export const STUDIO_ENDED_AT = 'ai_studio.event.ended_at_ms';
/** Measured on a monotonic clock, so not always ended - started. */
export const STUDIO_DURATION = 'ai_studio.event.duration_ms';
export const STUDIO_COST = 'ai_studio.cost.micro_usd';
/**
 * Input billed at the input price: the prompt WITHOUT cached tokens. `gen_ai.usage.input_tokens` is the whole
 * prompt (the conventions count cached tokens in it), so it cannot carry this figure.
 */
export const STUDIO_UNCACHED_INPUT = 'ai_studio.usage.uncached_input_tokens';
/** The event's payload as JSON text (attribute values cannot nest objects). */
export const STUDIO_PAYLOAD = 'ai_studio.payload';
/** Resource attribute: what the export is of (a session's title), shown as the imported trace's title. */
export const STUDIO_TRACE_TITLE = 'ai_studio.trace.title';

/**
 * A tool call's span (`execute_tool`): how it went, in our terms. The conventions name the tool and the call
 * (`gen_ai.tool.*`); approvals are ours: the policy's verdict, who decided (policy, person, session, window), how
 * long the approval waited, how long the tool ran, and its state (completed, failed, denied, interrupted).
 */
export const STUDIO_TOOL_STATE = 'ai_studio.tool.state';
export const STUDIO_TOOL_VERDICT = 'ai_studio.tool.approval.verdict';
export const STUDIO_TOOL_DECIDED_BY = 'ai_studio.tool.approval.decided_by';
export const STUDIO_TOOL_WAIT_MS = 'ai_studio.tool.approval.wait_ms';
export const STUDIO_TOOL_RUN_MS = 'ai_studio.tool.run_ms';
export const STUDIO_TOOL_EXIT_CODE = 'ai_studio.tool.exit_code';

/**
 * The replay request as the Inspector panel edits it and sends it back. The schema is part of the Inspector's
 * protocol (the panel and the host share it); it is re-exported here for the replay core.
 */
export {
  REPLAY_LIMITS,
  replayParametersSchema,
  replayRequestSchema,
  type ReplayMessage,
  type ReplayParameters,
  type ReplayRequest,
} from '../../protocol/inspector';

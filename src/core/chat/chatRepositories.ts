import { createIdFactory } from '../../db/ids';
import { AgentsRepository } from '../../db/repositories/agents';
import { EventsRepository } from '../../db/repositories/events';
import { MessagesRepository } from '../../db/repositories/messages';
import { SessionsRepository } from '../../db/repositories/sessions';
import { SettingsRepository } from '../../db/repositories/settings';
import type { StorePort } from '../../db/repositories/storePort';
import type { Clock } from '../ports';

/** The repositories the chat loop uses, on one store, so several of them can share one transaction. */
export interface ChatRepositories {
  store: StorePort;
  agents: AgentsRepository;
  sessions: SessionsRepository;
  messages: MessagesRepository;
  events: EventsRepository;
  settings: SettingsRepository;
}

export function chatRepositories(store: StorePort, clock: Clock, newId: () => string = createIdFactory(clock)): ChatRepositories {
  return {
    store,
    agents: new AgentsRepository(store, clock, newId),
    sessions: new SessionsRepository(store, clock, newId),
    messages: new MessagesRepository(store, clock, newId),
    events: new EventsRepository(store, clock, newId),
    settings: new SettingsRepository(store, clock),
  };
}

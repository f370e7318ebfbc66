import type { Decision, PendingView } from '../../../src/protocol/chatTools';
import { h } from '../shared/dom';
import { pendingCard, toggleArguments } from './approvalCard';
import type { ChatStore } from './store';

/**
 * Where the turn's questions wait: at the end of the conversation, just above the message box, so an approval
 * is in view however far up the person has scrolled. Cards follow the host's pending list (a card stays the
 * same element while its question is pending, so a typed reason and focus survive other updates).
 *
 * Deciding posts `chat/decide` and disables the card until the host's next pending list removes it; an error
 * re-enables it and says why. Alt+A approves and Alt+D denies the focused card (or the first one).
 *
 * Focus: a new card takes focus, so a keyboard or screen-reader user lands on what is asked, unless the person
 * is typing (focus in a text field that holds text or had a key in the last two seconds) or is on another card. Taking focus then
 * would turn their next keys into presses on the card; instead the card is announced, with where it is, and
 * the shortcuts wait until focus leaves the text field. For the same reason a text field never gives its keys
 * to the shortcuts (on macOS Option+A types "å"), except Alt+D (deny, the safe answer) in the card's own reason.
 */

export interface PendingDockDeps {
  store: ChatStore;
  element: HTMLElement;
  decide(pendingId: string, decision: Decision, reason: string | undefined): Promise<unknown>;
  announce(text: string): void;
  /** Where focus goes when the last card it was on goes away. */
  fallbackFocus(): void;
  /** Runs a change of the dock's size: a reader at the end of the conversation stays at its end. */
  resizing(change: () => void): void;
}

const TYPING_MS = 2_000;
const TEXT_ENTRY = 'textarea, input, [contenteditable=""], [contenteditable="true"], vscode-textfield, vscode-textarea, vscode-single-select';

export class PendingDock {
  private readonly cards = new Map<string, HTMLElement>();
  private lastTypedAt = 0;

  constructor(private readonly deps: PendingDockDeps) {
    deps.element.hidden = true;
    deps.store.subscribe((change) => {
      if (change.kind === 'pending' || change.kind === 'reset') {
        this.sync();
      }
    });
    deps.element.addEventListener('click', (event) => this.onClick(event));
    deps.element.addEventListener('keydown', (event) => this.onCardKey(event));
    document.addEventListener(
      'keydown',
      (event) => {
        if (textEntryOf(event)) {
          this.lastTypedAt = performance.now();
        }
      },
      true,
    );
    document.addEventListener('keydown', (event) => this.onShortcut(event));
  }

  private sync(): void {
    this.deps.resizing(() => this.syncCards());
  }

  private syncCards(): void {
    const pending = this.deps.store.pending;
    const ids = new Set(pending.map((item) => item.id));
    const focusWasInside = this.deps.element.contains(document.activeElement);
    for (const [id, card] of this.cards) {
      if (!ids.has(id)) {
        card.remove();
        this.cards.delete(id);
      }
    }
    const fresh: { item: PendingView; card: HTMLElement }[] = [];
    let previous: HTMLElement | null = null;
    for (const item of pending) {
      let card = this.cards.get(item.id);
      if (!card) {
        card = pendingCard(item);
        this.cards.set(item.id, card);
        fresh.push({ item, card });
      }
      const expected: Element | null = previous ? previous.nextElementSibling : this.deps.element.firstElementChild;
      if (expected !== card) {
        if (previous) {
          previous.after(card);
        } else {
          this.deps.element.prepend(card);
        }
      }
      previous = card;
    }
    this.deps.element.hidden = this.cards.size === 0;
    const first = fresh[0];
    if (first) {
      this.arrived(first.item, first.card);
    } else if (focusWasInside && !this.deps.element.contains(document.activeElement)) {
      // The card the person was on was answered: the next question, or back to the message box.
      const next = this.deps.element.querySelector<HTMLElement>('.pending-card');
      if (next) {
        next.focus();
      } else {
        this.deps.fallbackFocus();
      }
    }
  }

  private arrived(item: PendingView, card: HTMLElement): void {
    const typing = this.isTyping();
    // Someone already on another card keeps their place; the new one is announced.
    const busyElsewhere = this.deps.element.contains(document.activeElement) && !card.contains(document.activeElement);
    if (!typing && !busyElsewhere) {
      card.focus({ preventScroll: true });
    }
    card.scrollIntoView({ block: 'nearest' });
    const where = typing || busyElsewhere ? ' It is just above the message box.' : '';
    if (item.kind === 'approval') {
      const title = card.querySelector('.pending-title')?.textContent ?? 'Approval needed';
      this.deps.announce(`Approval needed: ${title} ${item.approval.summary}. Alt+A approves, Alt+D denies.${where}`);
    } else {
      this.deps.announce(`Paused: reached ${item.reached}. Continue for ${item.more}, or stop.${where}`);
    }
  }

  private isTyping(): boolean {
    const active = document.activeElement;
    if (!(active instanceof HTMLElement) || !active.matches(TEXT_ENTRY)) {
      return false;
    }
    const value = (active as { value?: unknown }).value;
    return (typeof value === 'string' && value !== '') || performance.now() - this.lastTypedAt < TYPING_MS;
  }

  private onClick(event: MouseEvent): void {
    const target = event.target instanceof Element ? event.target : null;
    const toggle = target?.closest<HTMLElement>('[data-role="toggle-arguments"]');
    if (toggle) {
      toggleArguments(toggle);
      return;
    }
    const button = target?.closest<HTMLElement>('[data-decision]');
    const card = button?.closest<HTMLElement>('.pending-card');
    if (button && card && !button.hasAttribute('disabled')) {
      this.decide(card, button.dataset.decision as Decision);
    }
  }

  /** Enter in the reason field denies with that reason: typing a reason is how a person says no. */
  private onCardKey(event: KeyboardEvent): void {
    const field = event.target instanceof Element ? event.target.closest('[data-role="deny-reason"]') : null;
    const card = field?.closest<HTMLElement>('.pending-card');
    if (field && card && event.key === 'Enter' && !event.isComposing && !event.shiftKey) {
      event.preventDefault();
      this.decide(card, 'deny');
    }
  }

  private onShortcut(event: KeyboardEvent): void {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.repeat || event.defaultPrevented) {
      return;
    }
    const decision: Decision | null = event.code === 'KeyA' ? 'approve' : event.code === 'KeyD' ? 'deny' : null;
    if (!decision) {
      return;
    }
    const inCard = event.composedPath().find((node): node is HTMLElement => node instanceof HTMLElement && node.classList.contains('pending-card'));
    const card = inCard ?? this.deps.element.querySelector<HTMLElement>('.pending-card[data-kind="approval"]');
    if (!card || card.dataset.kind !== 'approval') {
      return;
    }
    const entry = textEntryOf(event);
    if (entry && !(decision === 'deny' && inCard && entry.matches('[data-role="deny-reason"]'))) {
      return;
    }
    event.preventDefault();
    this.decide(card, decision);
  }

  private decide(card: HTMLElement, decision: Decision): void {
    const pendingId = card.dataset.pendingId;
    if (!pendingId || card.hasAttribute('aria-busy') || !this.cards.has(pendingId)) {
      return;
    }
    const field = card.querySelector<HTMLElement & { value: string }>('[data-role="deny-reason"]');
    const reason = decision === 'deny' ? field?.value.trim().slice(0, 2_000) || undefined : undefined;
    const status = card.querySelector<HTMLElement>('[data-role="status"]');
    setBusy(card, true);
    status?.replaceChildren(h('span', { class: 'codicon codicon-loading codicon-modifier-spin', 'aria-hidden': 'true' }), ' Sending your answer…');
    status?.classList.remove('error');
    status?.removeAttribute('role');
    this.deps.decide(pendingId, decision, reason).then(
      () => status?.replaceChildren('Sent; waiting for the agent…'),
      (error: unknown) => {
        if (!card.isConnected) {
          return;
        }
        setBusy(card, false);
        const message = error instanceof Error ? error.message : String(error);
        status?.replaceChildren(h('span', { class: 'codicon codicon-error', 'aria-hidden': 'true' }), ` That did not go through: ${message}`);
        status?.classList.add('error');
        status?.setAttribute('role', 'alert');
      },
    );
  }
}

function setBusy(card: HTMLElement, busy: boolean): void {
  card.toggleAttribute('aria-busy', busy);
  for (const control of card.querySelectorAll('[data-decision], [data-role="deny-reason"]')) {
    control.toggleAttribute('disabled', busy);
    // Custom elements do not tell assistive technology they are disabled by themselves.
    control.setAttribute('aria-disabled', String(busy));
  }
}

/** The text control a key went to: the outermost one (a vscode-textfield, not the input inside its shadow). */
function textEntryOf(event: Event): HTMLElement | undefined {
  let found: HTMLElement | undefined;
  for (const node of event.composedPath()) {
    if (node instanceof HTMLElement && node.matches(TEXT_ENTRY)) {
      found = node;
    }
  }
  return found;
}

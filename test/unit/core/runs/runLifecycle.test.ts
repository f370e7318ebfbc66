import * as assert from 'node:assert/strict';
import type { RunStatus } from '../../../../src/db/repositories/runs';
import {
  canTransition,
  checkTransition,
  displayState,
  RunTransitionError,
  viewGroup,
  type RunDisplayState,
} from '../../../../src/core/runs/runLifecycle';

const STATUSES: readonly RunStatus[] = ['queued', 'running', 'waiting', 'completed', 'failed', 'cancelled'];

describe('run lifecycle', () => {
  it('allows exactly the documented moves', () => {
    const allowed = STATUSES.flatMap((from) => STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}->${to}`));
    assert.deepEqual(allowed, [
      'queued->running',
      'queued->cancelled',
      'running->waiting',
      'running->completed',
      'running->failed',
      'running->cancelled',
      'waiting->running',
      'waiting->failed',
      'waiting->cancelled',
    ]);
  });

  it('refuses a run that skips starting, with a message that says what it can do instead', () => {
    assert.throws(
      () => checkTransition('queued', 'completed'),
      (error: unknown) =>
        error instanceof RunTransitionError &&
        error.from === 'queued' &&
        error.to === 'completed' &&
        error.message === 'A queued run cannot become completed; it can become running or cancelled',
    );
    assert.throws(() => checkTransition('waiting', 'completed'), /^RunTransitionError: A waiting run cannot become completed; it can become running or cancelled or failed$/);
    assert.doesNotThrow(() => checkTransition('waiting', 'running'));
  });

  it('never reopens an ended run, and says so', () => {
    for (const ended of ['completed', 'failed', 'cancelled'] as const) {
      for (const to of STATUSES) {
        assert.throws(() => checkTransition(ended, to), new RegExp(`^RunTransitionError: A ${ended} run has ended and cannot become ${to}; start a new run instead$`));
      }
    }
    assert.throws(() => checkTransition('running', 'running'), /^RunTransitionError: The run is already running$/);
  });

  it('shows a queued, running or waiting run that no window carries on as interrupted (its window closed)', () => {
    const shown = (status: RunStatus, live: boolean) => displayState({ status }, live);
    assert.deepEqual(
      STATUSES.map((status) => [status, shown(status, true), shown(status, false)]),
      [
        ['queued', 'queued', 'interrupted'],
        ['running', 'running', 'interrupted'],
        ['waiting', 'waiting', 'interrupted'],
        ['completed', 'completed', 'completed'],
        ['failed', 'failed', 'failed'],
        ['cancelled', 'cancelled', 'cancelled'],
      ],
    );
  });

  it('groups interrupted runs with the waiting ones, since both need the person', () => {
    const states: RunDisplayState[] = ['queued', 'running', 'waiting', 'interrupted', 'completed', 'failed', 'cancelled'];
    assert.deepEqual(
      states.map((state) => viewGroup(state)),
      ['running', 'running', 'waiting', 'waiting', 'finished', 'finished', 'finished'],
    );
  });
});

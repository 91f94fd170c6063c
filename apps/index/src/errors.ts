import { InputError } from '@hotplug/runtime';

/** A command-line value or a run's state that cannot be used; the message says how to fix it. Exit code 2. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A run that stopped with work left (failed shards, a table that is not complete). Exit code 3. */
export class IncompleteRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteRunError';
  }
}

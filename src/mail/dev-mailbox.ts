/**
 * The development mailbox: without an SMTP server, `gx dev` (and any non-production API) keeps the mail it
 * would send in memory, readable at GET /dev/mail, so a developer can follow a password reset. Never used in
 * production (mail-setup.ts).
 */
import type { Mailer, MailMessage } from './mailer.js';

/** A message as kept: what was sent, and when. */
export interface StoredMail extends MailMessage {
  sentAt: Date;
}

/** Oldest messages are dropped past this many, so a long `gx dev` session cannot grow without bound. */
const CAPACITY = 200;

export class DevMailbox implements Mailer {
  readonly #messages: StoredMail[] = [];

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async send(message: MailMessage): Promise<void> {
    this.#messages.push({ ...message, sentAt: this.clock() });
    if (this.#messages.length > CAPACITY) this.#messages.shift();
  }

  /** The kept messages, newest first; only those to `to` when given. */
  messages(to?: string): StoredMail[] {
    const all = [...this.#messages].reverse();
    return to === undefined ? all : all.filter((message) => message.to.toLowerCase() === to.toLowerCase());
  }
}

/** Outgoing mail: one interface, an SMTP implementation (smtp-mailer.ts) and a dev mailbox (dev-mailbox.ts). */

export interface MailMessage {
  to: string;
  subject: string;
  /** Plain text: the messages this backend sends need no HTML. */
  text: string;
}

export interface Mailer {
  /** Sends one message; rejects when the message could not be handed over. */
  send(message: MailMessage): Promise<void>;
}

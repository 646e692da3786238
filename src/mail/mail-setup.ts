/**
 * Which mailer an API process gets (docs/runbook.md, "Mail"):
 * - `GX_SMTP_URL` set: SMTP, in any environment;
 * - unset outside production: the in-memory dev mailbox, readable at GET /dev/mail;
 * - unset in production: none. The password-reset routes are then not served (404) and the API says so at
 *   start, rather than answer "check your mail" for mail that never leaves.
 */
import type { Config } from '../config.js';
import { DevMailbox } from './dev-mailbox.js';
import type { Mailer } from './mailer.js';
import { createSmtpMailer } from './smtp-mailer.js';

export interface MailSetup {
  mailer: Mailer | undefined;
  /** Present only with the dev mailbox: what GET /dev/mail reads. */
  devMailbox: DevMailbox | undefined;
  close(): void;
}

export function mailSetup(config: Pick<Config, 'env' | 'mail'>): MailSetup {
  if (config.mail.smtpUrl !== undefined) {
    const smtp = createSmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from });
    return { mailer: smtp, devMailbox: undefined, close: () => smtp.close() };
  }
  if (config.env === 'production') return { mailer: undefined, devMailbox: undefined, close: () => undefined };
  const devMailbox = new DevMailbox();
  return { mailer: devMailbox, devMailbox, close: () => undefined };
}

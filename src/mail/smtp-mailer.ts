/** Mail through an SMTP server (`GX_SMTP_URL`, e.g. `smtps://user:pass@smtp.example.com:465`), with nodemailer. */
import nodemailer from 'nodemailer';
import type { Mailer, MailMessage } from './mailer.js';

export function createSmtpMailer(settings: { url: string; from: string }): Mailer & { close(): void } {
  // A pool keeps one authenticated connection for bursts instead of a handshake per message.
  const transport = nodemailer.createTransport(settings.url.includes('?') ? settings.url : `${settings.url}?pool=true`);
  return {
    async send(message: MailMessage) {
      await transport.sendMail({ from: settings.from, to: message.to, subject: message.subject, text: message.text });
    },
    close() {
      transport.close();
    },
  };
}

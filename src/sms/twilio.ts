/** A real provider: a Twilio-compatible Messages API (form-encoded POST, HTTP Basic with the account SID). */
import { SmsProviderError, type SmsSender } from "./sms-sender";

export interface TwilioConfig {
  accountSid: string;
  authToken: string;
  from: string;
  baseUrl: string;
}

const PROVIDER_TIMEOUT_MS = 10_000;

export class TwilioSender implements SmsSender {
  constructor(
    private readonly config: TwilioConfig,
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  async send(to: string, body: string): Promise<void> {
    const { accountSid, authToken, from, baseUrl } = this.config;
    if (!accountSid || !authToken || !from) throw new SmsProviderError("The SMS provider is not configured", null);
    let response: Response;
    try {
      response = await this.fetcher(`${baseUrl.replace(/\/$/, "")}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`, {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa(`${accountSid}:${authToken}`)}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ To: to, From: from, Body: body }).toString(),
        // A provider that does not answer must not hold the till's request (nor its Idempotency-Key) for ever.
        signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
      });
    } catch (error) {
      throw new SmsProviderError(`The SMS provider could not be reached: ${String(error)}`, null);
    }
    if (!response.ok) {
      // The provider's own message says why (bad number, no funds…); the message text itself is never logged.
      let reason = `HTTP ${response.status}`;
      try {
        const json = (await response.json()) as { message?: string; code?: number };
        if (json.message) reason = `${reason}: ${json.message}`;
      } catch {
        // not JSON
      }
      throw new SmsProviderError(`The SMS provider refused the message (${reason})`, response.status);
    }
  }
}

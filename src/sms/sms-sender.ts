/** Where SMS messages go: one small interface; `choose-sender.ts` picks the implementation from configuration. */

export interface SmsSender {
  /** Sends one message; throws SmsProviderError when the provider refuses or cannot be reached. */
  send(to: string, body: string, tenantId: string): Promise<void>;
}

export class SmsProviderError extends Error {
  constructor(
    message: string,
    readonly providerStatus: number | null,
  ) {
    super(message);
  }
}

/**
 * Turns a platform's H5 auth code (Feishu `tt.requestAccess`, DingTalk `dd.requestAuthCode`) into
 * our employee id, or null when the person is not in the employee master. The platform modules
 * provide these (bot/platforms/<name>/<name>-login.ts); the composition hands them in, so the
 * admin app never imports a platform SDK.
 */
export type LoginCodeExchange = (code: string) => Promise<string | null>

export interface PlatformLogin {
  exchangeCode: LoginCodeExchange
  /** FEISHU_APP_ID / DINGTALK_CLIENT_ID: the sign-in page passes it to the host's JS bridge. */
  appId: string
}

export const LOGIN_PLATFORMS = ['feishu', 'dingtalk'] as const
export type LoginPlatform = (typeof LOGIN_PLATFORMS)[number]

export type PlatformLogins = Partial<Record<LoginPlatform, PlatformLogin>>

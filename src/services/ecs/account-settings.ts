import { createHash } from 'node:crypto';
import type {
  DeleteAccountSettingRequest,
  DeleteAccountSettingResponse,
  ListAccountSettingsRequest,
  ListAccountSettingsResponse,
  PutAccountSettingDefaultRequest,
  PutAccountSettingDefaultResponse,
  PutAccountSettingRequest,
  PutAccountSettingResponse,
  Setting,
  SettingName,
} from '../../model/generated/ecs.js';
import type { OperationContext } from '../service.js';
import {
  readSettings,
  removeSetting,
  writeSetting,
  type SettingScope,
} from './account-settings-store.js';
import { AccessDeniedException, InvalidParameterException } from './errors.js';
import { SETTING_NAMES, SETTING_RULES } from './setting-rules.js';
import { callerTarget, namedTarget, rootTarget, type SettingTarget } from './setting-principals.js';

/** PutAccountSetting: sets one setting for the caller, or (as root) for another principal. */
export async function putAccountSetting(
  ctx: OperationContext,
  input: PutAccountSettingRequest,
): Promise<PutAccountSettingResponse> {
  const target = await targetOf(ctx, input.principalArn);
  return { setting: await changeSetting(ctx, target, input.name, input.value) };
}

/** PutAccountSettingDefault: sets the account-wide default, held as the root user's setting. */
export async function putAccountSettingDefault(
  ctx: OperationContext,
  input: PutAccountSettingDefaultRequest,
): Promise<PutAccountSettingDefaultResponse> {
  return { setting: await changeSetting(ctx, rootTarget(ctx), input.name, input.value) };
}

/**
 * DeleteAccountSetting: removes an explicit setting, so the principal falls back
 * to the account default. Answers the setting that was removed; when there was
 * none it answers the value now in force (AWS does not document this case).
 */
export async function deleteAccountSetting(
  ctx: OperationContext,
  input: DeleteAccountSettingRequest,
): Promise<DeleteAccountSettingResponse> {
  const target = await targetOf(ctx, input.principalArn);
  checkWritable(ctx, target, input.name);

  const removed = await removeSetting(ctx.db, scopeOf(ctx, target), input.name);
  const value = removed ?? (await effectiveValue(ctx, target, input.name));
  return { setting: setting(input.name, value, target) };
}

/** ListAccountSettings: explicit or effective settings of one principal, ten to a page. */
export async function listAccountSettings(
  ctx: OperationContext,
  input: ListAccountSettingsRequest,
): Promise<ListAccountSettingsResponse> {
  if (input.value !== undefined && input.name === undefined) {
    throw new InvalidParameterException(
      'You must specify an account setting name to filter by value.',
    );
  }
  const target = await targetOf(ctx, input.principalArn);

  const all = input.effectiveSettings
    ? await effectiveSettings(ctx, target)
    : await explicitSettings(ctx, target);
  const matching = all.filter(
    (s) =>
      (input.name === undefined || s.name === input.name) &&
      (input.value === undefined || s.value === input.value),
  );
  return page(matching, input);
}

/** The principal a call names, or the caller when it names none. */
async function targetOf(ctx: OperationContext, principalArn: string | undefined) {
  return principalArn ? namedTarget(ctx, principalArn) : callerTarget(ctx);
}

async function changeSetting(
  ctx: OperationContext,
  target: SettingTarget,
  name: SettingName,
  value: string,
) {
  checkWritable(ctx, target, name);
  if (!SETTING_RULES[name].values.includes(value))
    throw new InvalidParameterException("Invalid setting 'value'");

  await writeSetting(ctx.db, scopeOf(ctx, target), name, value, ctx.clock.now());
  return setting(name, value, target);
}

/**
 * The rules AWS states for who may change what. Where AWS documents no error
 * (fargateFIPSMode outside GovCloud or for a single principal) fedgate refuses
 * with InvalidParameterException and says why.
 */
function checkWritable(ctx: OperationContext, target: SettingTarget, name: SettingName) {
  const rule = SETTING_RULES[name];
  if (rule.awsManaged) {
    throw new InvalidParameterException(
      `The ${name} account setting is managed by AWS and is read-only.`,
    );
  }
  if (rule.govCloudOnly && !ctx.region.govCloud) {
    throw new InvalidParameterException(
      `The ${name} account setting is only available in the AWS GovCloud (US) Regions; ${ctx.region.name} is not one.`,
    );
  }
  if (rule.rootOnly && ctx.principal.type !== 'Root') {
    throw new AccessDeniedException(
      `The ${name} account setting can only be changed by the root user.`,
    );
  }
  if (rule.accountLevelOnly && target.key !== 'root') {
    throw new InvalidParameterException(
      `The ${name} account setting applies to the whole account: change it with PutAccountSettingDefault.`,
    );
  }
}

async function explicitSettings(ctx: OperationContext, target: SettingTarget): Promise<Setting[]> {
  const own = await readSettings(ctx.db, scopeOf(ctx, target));
  return SETTING_NAMES.filter((name) => own.has(name)).map((name) =>
    setting(name, own.get(name) ?? '', target),
  );
}

/** A principal's own setting, else the account default (root's), else AWS's default. */
async function effectiveSettings(ctx: OperationContext, target: SettingTarget): Promise<Setting[]> {
  const own = await readSettings(ctx.db, scopeOf(ctx, target));
  const defaults =
    target.key === 'root' ? own : await readSettings(ctx.db, scopeOf(ctx, rootTarget(ctx)));
  return SETTING_NAMES.map((name) => {
    const value = own.get(name) ?? defaults.get(name) ?? SETTING_RULES[name].defaultValue;
    return setting(name, value, target);
  });
}

async function effectiveValue(ctx: OperationContext, target: SettingTarget, name: SettingName) {
  const settings = await effectiveSettings(ctx, target);
  return settings.find((s) => s.name === name)?.value ?? SETTING_RULES[name].defaultValue;
}

function setting(name: SettingName, value: string, target: SettingTarget): Setting {
  return {
    name,
    value,
    principalArn: target.arn,
    type: SETTING_RULES[name].awsManaged ? 'aws_managed' : 'user',
  };
}

function scopeOf(ctx: OperationContext, target: SettingTarget): SettingScope {
  return { accountId: ctx.principal.accountId, region: ctx.region.name, principal: target.key };
}

const PAGE_LIMIT = 10;

/** Pages of at most maxResults (1–10); the token is bound to the query that made it. */
function page(settings: Setting[], input: ListAccountSettingsRequest): ListAccountSettingsResponse {
  const limit = input.maxResults ?? PAGE_LIMIT;
  if (limit < 1 || limit > PAGE_LIMIT) {
    throw new InvalidParameterException('maxResults must be between 1 and 10.');
  }
  const start = input.nextToken === undefined ? 0 : readToken(input.nextToken, input);
  const slice = settings.slice(start, start + limit);
  const next = start + limit < settings.length ? makeToken(start + limit, input) : undefined;
  return next === undefined ? { settings: slice } : { settings: slice, nextToken: next };
}

function queryHash(input: ListAccountSettingsRequest): string {
  const { name, value, principalArn, effectiveSettings } = input;
  const canonical = JSON.stringify([name, value, principalArn, effectiveSettings ?? false]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function makeToken(offset: number, input: ListAccountSettingsRequest): string {
  return Buffer.from(JSON.stringify({ o: offset, q: queryHash(input) })).toString('base64url');
}

function readToken(token: string, input: ListAccountSettingsRequest): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isToken(parsed) && parsed.q === queryHash(input)) return parsed.o;
  } catch {
    // Falls through to the error below: a token that is not ours is simply invalid.
  }
  throw new InvalidParameterException(
    'Invalid nextToken: it must come from a previous call with the same parameters.',
  );
}

function isToken(value: unknown): value is { o: number; q: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { o, q } = value as Record<string, unknown>;
  return typeof o === 'number' && Number.isInteger(o) && o >= 0 && typeof q === 'string';
}

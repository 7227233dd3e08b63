import type { SettingName } from '../../model/generated/ecs.js';

/** What ECS accepts for one account setting, from the ECS developer guide. */
export interface SettingRule {
  readonly values: readonly string[];
  /** The value in force when nobody set one. */
  readonly defaultValue: string;
  /** AWS manages it (`type: aws_managed`); it is read-only. */
  readonly awsManaged?: boolean;
  /** Exists only in the AWS GovCloud (US) Regions. */
  readonly govCloudOnly?: boolean;
  /** Applies to the whole account: only the root principal's (default) setting exists. */
  readonly accountLevelOnly?: boolean;
  /** Only the root user may change it. */
  readonly rootOnly?: boolean;
}

const ON_OFF = ['enabled', 'disabled'];

/**
 * Every account setting, in the model's order, plus `dualStackIPv6`, which AWS
 * documents and accepts although its model's enum omits it.
 */
export const SETTING_RULES: Readonly<Record<SettingName, SettingRule>> = {
  serviceLongArnFormat: { values: ON_OFF, defaultValue: 'enabled' },
  taskLongArnFormat: { values: ON_OFF, defaultValue: 'enabled' },
  containerInstanceLongArnFormat: { values: ON_OFF, defaultValue: 'enabled' },
  awsvpcTrunking: { values: ON_OFF, defaultValue: 'disabled' },
  containerInsights: { values: ['enabled', 'enhanced', 'disabled'], defaultValue: 'disabled' },
  fargateFIPSMode: {
    values: ON_OFF,
    defaultValue: 'disabled',
    govCloudOnly: true,
    accountLevelOnly: true,
  },
  tagResourceAuthorization: { values: ['on', 'off'], defaultValue: 'on' },
  fargateTaskRetirementWaitPeriod: {
    values: ['0', '7', '14'],
    defaultValue: '7',
    accountLevelOnly: true,
    rootOnly: true,
  },
  // Read-only: it mirrors whether GuardDuty Runtime Monitoring manages ECS, which fedgate never does.
  guardDutyActivate: { values: ON_OFF, defaultValue: 'disabled', awsManaged: true },
  defaultLogDriverMode: { values: ['blocking', 'non-blocking'], defaultValue: 'non-blocking' },
  // A one-time opt-in: there is no value that turns it off again.
  fargateEventWindows: { values: ['enabled'], defaultValue: 'disabled' },
  dualStackIPv6: { values: ON_OFF, defaultValue: 'disabled' },
};

/** Every setting name, in the order ListAccountSettings answers. */
export const SETTING_NAMES = Object.keys(SETTING_RULES) as SettingName[];

import { cloudtrailService } from './cloudtrail/index.js';
import { ecsService } from './ecs/index.js';
import { s3Service } from './s3/index.js';
import { notBuilt, type ServiceDefinition } from './service.js';
import { stsService } from './sts/index.js';

/** Every service fedgate speaks, in the order the coverage list shows them. */
export const ALL_SERVICES: readonly ServiceDefinition[] = [
  ecsService,
  cloudtrailService,
  stsService,
  s3Service,
];

/** The coverage list: operations served and not served, per service, from the operation tables. */
export function coverageMarkdown(services: readonly ServiceDefinition[] = ALL_SERVICES): string {
  const lines = [
    '# Operation coverage',
    '',
    'Generated from the operation tables by `npm run coverage`; do not edit by hand.',
    'Operations not served answer `NotImplemented` (HTTP 501).',
    '',
  ];
  for (const service of services) lines.push(...serviceSection(service));
  return lines.join('\n');
}

function serviceSection(service: ServiceDefinition): string[] {
  const names = Object.keys(service.operations).sort();
  const built = names.filter((name) => service.operations[name] !== notBuilt);
  const missing = names.filter((name) => service.operations[name] === notBuilt);
  return [
    `## ${service.model.metadata.serviceId ?? service.signingName} (${built.length} of ${names.length})`,
    '',
    `Served: ${built.map((name) => `\`${name}\``).join(', ') || 'none'}.`,
    '',
    `Not yet: ${missing.map((name) => `\`${name}\``).join(', ') || 'none'}.`,
    '',
  ];
}

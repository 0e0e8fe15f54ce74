// The agent's version and build id (`agent_build_id` in connect_agent, heartbeats and details).
import fs from 'node:fs';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(
      fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const AGENT_VERSION = packageVersion();
export const AGENT_BUILD_ID = `borealis-agent/${AGENT_VERSION} node/${process.versions.node} ${process.platform}`;

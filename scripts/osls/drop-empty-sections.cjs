/**
 * osls plugin: removes the template's top-level sections that are left empty (`Conditions: {}`
 * when no alarm topic is set: scripts/osls/alarm-actions.cjs). CloudFormation refuses some empty
 * sections at deploy time although linters pass them; a section with nothing in it says nothing.
 *
 * CommonJS: osls loads local plugins with require(). Test: test/deploy/template.test.ts.
 */
/* global module */
'use strict';

const SECTIONS = ['Parameters', 'Mappings', 'Conditions', 'Outputs'];

class DropEmptySections {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:aws:package:finalize:saveServiceState': () => this.drop(),
    };
  }

  drop() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    for (const section of SECTIONS) {
      const value = template[section];
      if (value && typeof value === 'object' && Object.keys(value).length === 0) delete template[section];
    }
  }
}

module.exports = DropEmptySections;

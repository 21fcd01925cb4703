#!/usr/bin/env node
import { Command } from 'commander';
import { packageVersion } from '../version.js';

const program = new Command('kuke')
  .description('kuke: drive kukeond — realms, spaces, stacks, cells and containers on one host')
  .version(packageVersion(), '--version', 'print the version');

program
  .command('version')
  .description('print the version of kuke')
  .action(() => {
    process.stdout.write(`kuke version ${packageVersion()}\n`);
  });

program.parse();

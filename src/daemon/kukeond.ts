#!/usr/bin/env node
import { Command } from 'commander';
import { packageVersion } from '../version.js';

new Command('kukeond')
  .description('kukeond: the kukeon daemon — owns the state and reconciles it')
  .version(packageVersion(), '--version', 'print the version')
  .parse();

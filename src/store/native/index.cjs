// Loads the compiled flock binding (built by `node-gyp rebuild` when npm installs this package).
'use strict';
module.exports = require('./build/Release/kukeon_flock.node');

module.exports = require('./temp-root.js').setup;

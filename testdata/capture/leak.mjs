// leak.js started as an ES module: no require in its scope, and none
// global, as in a service written with import.
import './leak.js';

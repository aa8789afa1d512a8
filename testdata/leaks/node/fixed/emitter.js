'use strict';
// Shape 1, EventEmitter listeners: the scenarios' incident program
// (testdata/scenarios/incident), .on() where .once() was meant.
const { DataProcessor } = require('../../incident/src/data-processor-fixed');
const { makeOrders, ORDER_COUNT } = require('../../incident/orders');

exports.run = function run() {
  global.processor = new DataProcessor();
  global.processor.processOrders(makeOrders(ORDER_COUNT));
};

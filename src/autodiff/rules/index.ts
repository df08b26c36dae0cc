// Registers every VJP rule (importing a rule file registers its ops).
import './elementwise.js';
import './activation.js';
import './softmax.js';
import './matmul.js';
import './conv.js';
import './pool.js';
import './normalization.js';
import './reduce.js';
import './reshape.js';
import './concat-split.js';
import './slice-pad.js';
import './gather.js';
import './dropout.js';

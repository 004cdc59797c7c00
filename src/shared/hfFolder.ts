// Facts about Hugging Face model folders that the engine (to load) and the extension host (to list
// models) both need, as pure functions over file names: which files are PyTorch pickles, and the one
// sentence that refuses them. Pickles are never opened: unpickling can run any code the file carries.

/** PyTorch / Lightning pickle files: pytorch_model.bin (and its shards), *.ckpt, *.pt, *.pth, *.pkl. */
export const PICKLE_FILE = /^(pytorch_model.*\.bin|.*\.(ckpt|pt|pth|pkl))$/i;

/** The pickle files among a folder's file names. */
export function pickleFiles(names: readonly string[]): string[] {
  return names.filter((f) => PICKLE_FILE.test(f));
}

/** Why a folder with no safetensors weights cannot be read, with the one-line conversion when it has pickles. */
export function noSafetensorsMessage(dir: string, names: readonly string[]): string {
  const pickles = pickleFiles(names);
  if (pickles.length === 0)
    return `${dir} has no model.safetensors (nor model.safetensors.index.json with its shards); download the model's safetensors weights into it.`;
  return `${dir} holds its weights only as ${pickles.join(', ')}, PyTorch pickle files that can run code when loaded, so Pretrain Lab never opens them; convert them once, where you trust the file, with: python3 -c "import torch; from safetensors.torch import save_file; save_file({k: v.contiguous() for k, v in torch.load('${pickles[0]}', map_location='cpu', weights_only=True).items()}, 'model.safetensors')"`;
}

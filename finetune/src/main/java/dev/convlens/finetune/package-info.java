/** convlens finetune: see the open issue for this module; it builds on tf-bridge's KerasModel. */
package dev.convlens.finetune;

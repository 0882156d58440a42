/**
 * File formats for plain arrays: NumPy {@code .npy} reading and (atomic) writing, so golden values
 * produced in Python and arrays produced here can be exchanged without Python on the Java side.
 *
 * <p>Depends only on {@code dev.convlens.bridge} (FloatArray, exceptions) and the JDK.
 */
package dev.convlens.bridge.io;

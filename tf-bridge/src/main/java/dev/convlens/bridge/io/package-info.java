/**
 * File formats for plain arrays: NumPy {@code .npy} reading and (atomic) writing, so golden values
 * produced in Python and arrays produced here can be exchanged without Python on the Java side.
 * And how every output is written: {@code AtomicFiles} writes a file or a whole folder through a
 * recognisable hidden temporary renamed into place, removes temporaries a killed process left, and
 * reports a full disk, a read-only file system or a denied permission as {@code
 * OutputWriteException} in one line.
 *
 * <p>Depends only on {@code dev.convlens.bridge} (FloatTensor, exceptions), Log4j's API and the JDK.
 */
@NullMarked
package dev.convlens.bridge.io;

import org.jspecify.annotations.NullMarked;

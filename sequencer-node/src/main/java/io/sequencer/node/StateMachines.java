package io.sequencer.node;

import io.sequencer.core.StateMachine;
import io.sequencer.core.sim.AccountLedger;

import java.io.File;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds the state machine a {@code node} runs: a class named on the command line, else the one
 * {@link StateMachine} service of the given jars ({@code META-INF/services/io.sequencer.core.StateMachine}), else the
 * demo's {@link AccountLedger}. Every failure is one line naming what to fix.
 */
final class StateMachines
{
    private StateMachines()
    {
    }

    /**
     * @param className the class to run, or null.
     * @param classpath jars and directories separated by {@link File#pathSeparator}, or null.
     * @throws IllegalArgumentException saying what is wrong, in one line.
     */
    static StateMachine load(final String className, final String classpath)
    {
        final ClassLoader loader = classLoader(classpath);
        if (className != null)
        {
            return instantiate(className, loader, classpath);
        }
        if (classpath != null)
        {
            final List<String> found = new ArrayList<>();
            StateMachine only = null;
            for (final ServiceLoader.Provider<StateMachine> provider :
                ServiceLoader.load(StateMachine.class, loader).stream().toList())
            {
                found.add(provider.type().getName());
                only = provider.get();
            }
            if (found.size() == 1)
            {
                return only;
            }
            if (found.size() > 1)
            {
                throw new IllegalArgumentException("--classpath offers " + found.size() + " state machines (" +
                    String.join(", ", found) + "): name one with --state-machine");
            }
        }
        return new AccountLedger();
    }

    private static ClassLoader classLoader(final String classpath)
    {
        final ClassLoader parent = StateMachines.class.getClassLoader();
        if (classpath == null || classpath.isBlank())
        {
            return parent;
        }
        final List<URL> urls = new ArrayList<>();
        for (final String entry : classpath.split(File.pathSeparator))
        {
            if (entry.isBlank())
            {
                continue;
            }
            final File file = new File(entry);
            if (!file.exists())
            {
                throw new IllegalArgumentException("--classpath: " + entry + ": no such file or directory");
            }
            try
            {
                urls.add(file.toURI().toURL());
            }
            catch (final MalformedURLException ex)
            {
                throw new IllegalArgumentException("--classpath: " + entry + ": " + ex.getMessage());
            }
        }
        return new URLClassLoader("state-machine", urls.toArray(new URL[0]), parent);
    }

    private static StateMachine instantiate(final String className, final ClassLoader loader, final String classpath)
    {
        final Class<?> type;
        try
        {
            type = Class.forName(className, true, loader);
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IllegalArgumentException("--state-machine " + className + ": no such class on the class path" +
                (classpath == null ? " (add its jar with --classpath)" : " or in --classpath " + classpath));
        }
        catch (final LinkageError ex)
        {
            throw new IllegalArgumentException("--state-machine " + className + ": cannot load it (" + ex + ")");
        }
        if (!StateMachine.class.isAssignableFrom(type))
        {
            throw new IllegalArgumentException("--state-machine " + className + " does not implement " +
                StateMachine.class.getName());
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers()))
        {
            throw new IllegalArgumentException("--state-machine " + className + " is abstract");
        }
        final Constructor<?> constructor;
        try
        {
            constructor = type.getConstructor();
        }
        catch (final NoSuchMethodException ex)
        {
            throw new IllegalArgumentException("--state-machine " + className + " has no public constructor " +
                "without arguments");
        }
        try
        {
            return (StateMachine)constructor.newInstance();
        }
        catch (final InvocationTargetException ex)
        {
            throw new IllegalArgumentException("--state-machine " + className + ": its constructor threw " +
                ex.getCause());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalArgumentException("--state-machine " + className + ": cannot construct it (" + ex + ")");
        }
    }
}

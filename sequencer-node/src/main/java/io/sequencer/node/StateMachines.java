package io.sequencer.node;

import io.sequencer.core.StateMachine;
import io.sequencer.sim.AccountLedger;

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
     * @return a factory of new instances (the duty cycle runs one, the snapshot thread another), having made one:
     *         a class that cannot be constructed fails here, not in the member.
     * @throws IllegalArgumentException saying what is wrong, in one line.
     */
    static java.util.function.Supplier<StateMachine> load(final String className, final String classpath)
    {
        final ClassLoader loader = classLoader(classpath);
        if (className != null)
        {
            final Constructor<?> constructor = constructor(className, loader, classpath);
            instantiate(constructor, className);
            return () -> instantiate(constructor, className);
        }
        if (classpath != null)
        {
            final List<String> found = new ArrayList<>();
            ServiceLoader.Provider<StateMachine> only = null;
            for (final ServiceLoader.Provider<StateMachine> provider :
                ServiceLoader.load(StateMachine.class, loader).stream().toList())
            {
                found.add(provider.type().getName());
                only = provider;
            }
            if (found.size() == 1)
            {
                only.get();
                return only::get; // a provider class: a new instance every call
            }
            if (found.size() > 1)
            {
                throw new IllegalArgumentException("--classpath offers " + found.size() + " state machines (" +
                    String.join(", ", found) + "): name one with --state-machine");
            }
        }
        return AccountLedger::new;
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

    private static Constructor<?> constructor(final String className, final ClassLoader loader, final String classpath)
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
        try
        {
            return type.getConstructor();
        }
        catch (final NoSuchMethodException ex)
        {
            throw new IllegalArgumentException("--state-machine " + className + " has no public constructor " +
                "without arguments");
        }
    }

    private static StateMachine instantiate(final Constructor<?> constructor, final String className)
    {
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
